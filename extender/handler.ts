/**
 * POST /filter and /prioritize, served from a raw node:http handler (no express on the hot path: a
 * 5,000-node request is ~100 KB of JSON and must be answered in milliseconds). Every other path goes
 * to `rest`. On an internal error the extender must not block scheduling: /filter passes every node
 * and /prioritize gives every node the neutral score, and the error is logged and counted.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Weights } from "../core/placement/index.js";
import type { Clock } from "../platform/clock.js";
import { readBoundedBody, sendBytes, sendJson } from "../platform/http/boundedBody.js";
import type { Logger } from "../platform/log.js";
import type { PlacementDecisions } from "./decisions.js";
import type { ExtenderMetrics } from "./metrics.js";
import { filter, neutralPriorities, passEveryNode, prioritize, type Placement } from "./placement.js";
import { decodeExtenderArgs, encodeFilterResult, encodeHostPriorities, toFilterResult, type ExtenderArgs } from "./wire.js";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;
type Verb = "filter" | "prioritize";

export interface ExtenderHandlerDeps {
  placement: Placement;
  decisions: PlacementDecisions;
  metrics: ExtenderMetrics;
  clock: Clock;
  log: Logger;
  /** 413 above; the largest clusters send a few MB with nodeCacheCapable=false. */
  maxBodyBytes: number;
}

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  const q = u.indexOf("?");
  return q === -1 ? u : u.slice(0, q);
}

export function createExtenderHandler(deps: ExtenderHandlerDeps, rest: Listener): Listener {
  const { metrics, log } = deps;
  // Bound once: labels() hashes its arguments on every call.
  const nodesPassed = metrics.nodes.labels("passed");
  const nodesFailed = metrics.nodes.labels("failed");
  const nodesUnresolvable = metrics.nodes.labels("unresolvable");
  const ok = { filter: metrics.requests.labels("filter", "ok"), prioritize: metrics.requests.labels("prioritize", "ok") };
  const duration = { filter: metrics.duration.labels("filter"), prioritize: metrics.duration.labels("prioritize") };

  const answer = (verb: Verb, args: ExtenderArgs): Buffer => {
    try {
      if (verb === "filter") {
        const outcome = filter(args, deps.placement);
        nodesPassed.inc(outcome.passed);
        nodesFailed.inc(outcome.failed);
        nodesUnresolvable.inc(outcome.unresolvable);
        ok.filter.inc();
        return encodeFilterResult(outcome);
      }
      const { request, nodes, scores, best } = prioritize(args, deps.placement);
      const meta = args.pod.metadata;
      if (request.gpus > 0 && meta?.name) {
        deps.decisions.keep({
          namespace: meta.namespace ?? "default",
          pod: meta.name,
          ...(meta.uid !== undefined && { uid: meta.uid }),
          atMs: deps.clock.nowMs(),
          gpus: request.gpus,
          ...(request.jobType !== undefined && { jobType: request.jobType }),
          candidates: nodes.length,
          nodes: best,
          weights: { ...deps.placement.weights },
        });
      }
      ok.prioritize.inc();
      return encodeHostPriorities(nodes, scores);
    } catch (err) {
      const meta = args.pod.metadata;
      log.error({ err, verb, namespace: meta?.namespace, pod: meta?.name, code: "EXTENDER_INTERNAL" }, "extender failed; every node passed with neutral scores");
      metrics.requests.labels(verb, "error").inc();
      // The plain object forms: nothing of the fast path that may have failed.
      const fallback = verb === "filter" ? toFilterResult(passEveryNode(args)) : neutralPriorities(args, deps.placement.weights);
      return Buffer.from(JSON.stringify(fallback), "utf8");
    }
  };

  const handle = (verb: Verb, res: ServerResponse, raw: Buffer, startNs: bigint) => {
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      metrics.requests.labels(verb, "invalid").inc();
      return sendJson(res, 400, JSON.stringify({ code: "EXTENDER_ARGS_INVALID", message: `body is not JSON: ${(err as Error).message}` }));
    }
    const decoded = decodeExtenderArgs(body);
    if (!decoded.ok) {
      metrics.requests.labels(verb, "invalid").inc();
      return sendJson(res, 400, JSON.stringify({ code: "EXTENDER_ARGS_INVALID", message: decoded.message }));
    }
    sendBytes(res, answer(verb, decoded.args));
    duration[verb].observe(Number(process.hrtime.bigint() - startNs) / 1e9);
  };

  return (req, res) => {
    const path = pathOf(req.url);
    const verb: Verb | undefined = path === "/filter" ? "filter" : path === "/prioritize" ? "prioritize" : undefined;
    if (verb === undefined) return rest(req, res);
    const startNs = process.hrtime.bigint();
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendJson(res, 405, JSON.stringify({ code: "EXTENDER_ARGS_INVALID", message: `${req.method} not allowed on ${path}; POST ExtenderArgs` }));
    }
    readBoundedBody(req, deps.maxBodyBytes, {
      body: (raw) => handle(verb, res, raw, startNs),
      tooLarge: (declared) => {
        const size = declared !== undefined ? `body of ${declared} bytes` : "body";
        sendJson(res, 413, JSON.stringify({ code: "EXTENDER_ARGS_TOO_LARGE", message: `${size} exceeds the ${deps.maxBodyBytes}-byte limit` }), true);
      },
      error: (err) => log.debug({ err }, "extender request stream failed"),
    });
  };
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { readBoundedBody, sendBytes, sendJson } from "../platform/http/boundedBody.js";
import { admit, record, type AdmitDeps } from "./admit.js";
import type { Logger } from "../platform/log.js";
import type { AdmissionAudit } from "./audit.js";
import { splitReview, type DecisionMemo, type RememberedDecision } from "./decisionMemo.js";
import type { ReviewResult } from "./metrics.js";
import { decodeReview, encodeResponse, RESPONSE_HEAD, responseTail } from "./review.js";

function sendError(res: ServerResponse, status: number, code: string, message: string, close = false): void {
  sendJson(res, status, JSON.stringify({ code, message }), close);
}

export interface MutateHandlerDeps extends AdmitDeps {
  /** Rows of the admission_decisions audit; absent: not kept. */
  audit?: AdmissionAudit;
  /** Remembered decisions for repeated reviews; absent or disabled means every review is decided. */
  memo?: DecisionMemo;
}

/**
 * POST /mutate, served straight from node:https rather than through express: at ~6 KB per review
 * the router and body-parser middleware cost about half the throughput (see bench/webhook.bench.ts).
 * The body is read once into a bounded buffer; a review seen before is answered from the memo
 * without parsing it, any other is parsed once and decided.
 */
export function createMutateHandler(deps: MutateHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBytes = deps.config.maxBodyBytes;
  const { metrics } = deps;
  const memo = deps.memo?.enabled ? deps.memo : undefined;

  /**
   * What every hit of one remembered decision needs, made on its first hit: the log line's bound
   * fields, the response tail as bytes (the UID-less part of the answer, encoded once) and the metric
   * children of its labels. A hit then serialises only its uid.
   */
  interface HitState {
    log: Logger | undefined;
    tail: Buffer;
    memoHits: { inc(): void };
    reviews: { inc(): void };
    duration: { observe(v: number): void };
  }
  const boundForHits = (r: RememberedDecision): HitState => ({
    log: r.decision.log && deps.log.child(r.decision.log.fields),
    tail: Buffer.from(r.responseTail, "utf8"),
    memoHits: metrics.decisionMemo.labels("hit"),
    reviews: metrics.reviews.labels(r.decision.kind, r.operation, r.decision.result),
    duration: metrics.reviewDuration.labels(r.decision.kind, r.decision.result),
  });

  const finish = (startNs: bigint, kind: string, operation: string, result: ReviewResult) => {
    metrics.reviews.labels(kind, operation, result).inc();
    metrics.reviewDuration.labels(kind, result).observe(Number(process.hrtime.bigint() - startNs) / 1e9);
  };

  const review = async (res: ServerResponse, raw: Buffer, startNs: bigint) => {
    const cut = memo && splitReview(raw);
    const remembered = cut && memo!.recall(cut);
    if (cut && remembered) {
      const { decision } = remembered;
      const hit = (remembered.bound ??= boundForHits(remembered)) as HitState;
      hit.memoHits.inc();
      record(decision, { uid: cut.uid, dryRun: remembered.dryRun, namespace: remembered.namespace }, deps, hit.log);
      deps.audit?.note(decision, cut.uid, deps.clock.nowMs());
      const head = Buffer.from(`${RESPONSE_HEAD}"${cut.uid}"`, "latin1");
      sendBytes(res, Buffer.concat([head, hit.tail], head.length + hit.tail.length));
      hit.reviews.inc();
      hit.duration.observe(Number(process.hrtime.bigint() - startNs) / 1e9);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (err) {
      finish(startNs, "other", "unknown", "invalid");
      return sendError(res, 400, "REVIEW_INVALID", `body is not JSON: ${(err as Error).message}`);
    }
    const decoded = decodeReview(body);
    if (!decoded.ok) {
      finish(startNs, "other", "unknown", "invalid");
      return sendError(res, 400, "REVIEW_INVALID", decoded.message);
    }
    const request = decoded.request;
    try {
      const decision = await admit(request, deps);
      deps.audit?.note(decision, request.uid, deps.clock.nowMs());
      const tail = responseTail(decision.ops, decision.warnings.length > 0 ? { warnings: decision.warnings } : {});
      sendJson(res, 200, RESPONSE_HEAD + JSON.stringify(request.uid) + tail);
      finish(startNs, decision.kind, request.operation, decision.result);
      if (memo) {
        if (cut !== undefined && cut.uid === request.uid) memo.remember(cut, { decision, responseTail: tail, operation: request.operation, namespace: request.namespace, dryRun: request.dryRun === true });
        metrics.decisionMemo.labels(cut !== undefined && decision.repeatable ? "miss" : "bypass").inc();
      }
    } catch (err) {
      // A bug of ours must not block the user's job: admit unchanged, say so, count it.
      deps.log.error({ err, uid: request.uid, code: "INTERNAL" }, "review failed; job admitted unchanged");
      sendJson(res, 200, encodeResponse(request.uid, [], { warnings: ["gpu-steward: internal error; job admitted unchanged"] }));
      finish(startNs, "other", request.operation, "error");
    }
  };

  return (req, res) => {
    const startNs = process.hrtime.bigint();
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendError(res, 405, "REVIEW_INVALID", `${req.method} not allowed on /mutate; POST an AdmissionReview`);
    }
    readBoundedBody(req, maxBytes, {
      body: (raw) => void review(res, raw, startNs),
      tooLarge: (declared) => {
        finish(startNs, "other", "unknown", "invalid");
        const size = declared !== undefined ? `body of ${declared} bytes` : "body";
        sendError(res, 413, "REVIEW_TOO_LARGE", `${size} exceeds the ${maxBytes}-byte limit`, true);
      },
      error: (err) => deps.log.debug({ err }, "request stream failed"),
    });
  };
}

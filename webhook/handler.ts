import type { IncomingMessage, ServerResponse } from "node:http";
import { admit, type AdmitDeps } from "./admit.js";
import type { ReviewResult } from "./metrics.js";
import { decodeReview, encodeResponse } from "./review.js";

function send(res: ServerResponse, status: number, body: string, close = false): void {
  const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  // After a refused oversized body the rest of it is still on the wire: close instead of draining it.
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, close = false): void {
  send(res, status, JSON.stringify({ code, message }), close);
}

/**
 * POST /mutate, served straight from node:https rather than through express: at ~6 KB per review
 * the router and body-parser middleware cost about half the throughput (see bench/webhook.bench.ts).
 * The body is read once into a bounded buffer and parsed once.
 */
export function createMutateHandler(deps: AdmitDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBytes = deps.config.maxBodyBytes;
  const { metrics } = deps;

  const finish = (startNs: bigint, kind: string, operation: string, result: ReviewResult) => {
    metrics.reviews.labels(kind, operation, result).inc();
    metrics.reviewDuration.labels(kind, result).observe(Number(process.hrtime.bigint() - startNs) / 1e9);
  };

  const review = async (res: ServerResponse, raw: Buffer, startNs: bigint) => {
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
      const outcome = await admit(request, deps);
      const extra = outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {};
      send(res, 200, encodeResponse(request.uid, outcome.ops, extra));
      finish(startNs, outcome.kind, request.operation, outcome.result);
    } catch (err) {
      // A bug of ours must not block the user's job: admit unchanged, say so, count it.
      deps.log.error({ err, uid: request.uid, code: "INTERNAL" }, "review failed; job admitted unchanged");
      send(res, 200, encodeResponse(request.uid, [], { warnings: ["gpu-steward: internal error; job admitted unchanged"] }));
      finish(startNs, "other", request.operation, "error");
    }
  };

  return (req, res) => {
    const startNs = process.hrtime.bigint();
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return sendError(res, 405, "REVIEW_INVALID", `${req.method} not allowed on /mutate; POST an AdmissionReview`);
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      finish(startNs, "other", "unknown", "invalid");
      return sendError(res, 413, "REVIEW_TOO_LARGE", `body of ${declared} bytes exceeds the ${maxBytes}-byte limit`, true);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on("data", (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > maxBytes) {
        refused = true;
        finish(startNs, "other", "unknown", "invalid");
        sendError(res, 413, "REVIEW_TOO_LARGE", `body exceeds the ${maxBytes}-byte limit`, true);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (refused) return;
      void review(res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), startNs);
    });
    req.on("error", (err) => deps.log.debug({ err }, "request stream failed"));
  };
}

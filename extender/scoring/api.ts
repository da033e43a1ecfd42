/**
 * The scoring API (issue 4; seed spec §C.7): POST /v1/score, /v1/observe, /v1/assign and GET / info,
 * as an express Router the controller mounts beside the extender. Bad input is a 400
 * `{ code: "SCORING_INPUT_INVALID", message, field }` naming the field as the client spelt it; an
 * observation is answered 200 only once it is committed to the store.
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from "express";
import { isScoringInputError, type ScoringModel } from "../../core/scoring/index.js";
import type { Logger } from "../../platform/log.js";
import { assign } from "./assign.js";
import type { ScoringEndpoint, ScoringMetrics } from "./metrics.js";
import { failedRun, parseAssignBody, parseObserveBody, parseScoreBody, type Parsed } from "./requests.js";
import { assignResponse, IGNORED_RUN_RESPONSE, infoResponse, observeResponse, scoreResponse } from "./responses.js";
import type { ScoringStore } from "./store.js";

/**
 * 1 MiB: the largest legitimate body is an /v1/assign cost matrix at its 50,000-cell cap (~20 bytes a
 * number, ~1 MB); a /v1/score at its caps (256 candidates, 1,024 co-located names) is ~330 KB.
 */
export const SCORING_MAX_BODY_BYTES = 1024 * 1024;

const INPUT_INVALID = "SCORING_INPUT_INVALID";

export interface ScoringApiDeps {
  model: ScoringModel;
  store: Pick<ScoringStore, "observe" | "pendingObservations">;
  metrics: ScoringMetrics;
  log: Logger;
  /** Reported by GET /; the composition root knows the build's version. */
  version?: string;
  maxBodyBytes?: number;
  /**
   * Why this replica must not learn now (cluster mode: it does not lead; see extender/sharedState),
   * or undefined. Observations are then refused with 503 before anything is stored.
   */
  observeRefusal?: () => string | undefined;
}

export function createScoringApi(deps: ScoringApiDeps): Router {
  const { model, store, metrics, log } = deps;
  const router = express.Router();
  // Any content type: the seed's clients (curl examples, its webhook) did not all send application/json.
  const maxBodyBytes = deps.maxBodyBytes ?? SCORING_MAX_BODY_BYTES;
  const json = express.json({ limit: maxBodyBytes, type: () => true });

  const timed = (endpoint: ScoringEndpoint): RequestHandler => (_req, res, next) => {
    const end = metrics.requestDuration.labels(endpoint).startTimer();
    res.once("finish", () => {
      end();
      metrics.requests.labels(endpoint, String(res.statusCode)).inc();
    });
    next();
  };

  /** Answers 400 for a body that did not parse; narrows `parsed` for the caller otherwise. */
  const refused = <T>(res: express.Response, parsed: Parsed<T>): parsed is Extract<Parsed<T>, { ok: false }> => {
    if (parsed.ok) return false;
    res.status(400).json({ code: INPUT_INVALID, message: parsed.message, field: parsed.field });
    return true;
  };

  /** Runs `fn`; a ScoringInputError from core becomes a 400 naming the client's spelling of its field. */
  const guarded = <T>(res: express.Response, field: (f: string) => string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!isScoringInputError(err)) throw err;
      const name = field(err.field);
      const reason = err.message.startsWith(`${err.field}: `) ? err.message.slice(err.field.length + 2) : err.message;
      res.status(400).json({ code: INPUT_INVALID, message: `${name}: ${reason}`, field: name });
      return undefined;
    }
  };

  router.post("/v1/score", timed("score"), json, (req, res) => {
    const parsed = parseScoreBody(req.body);
    if (refused(res, parsed)) return;
    const decision = guarded(res, parsed.field, () => model.score(parsed.value));
    if (decision === undefined) return;
    metrics.decided(decision.mode);
    res.json(scoreResponse(decision));
  });

  router.post("/v1/observe", timed("observe"), json, (req, res) => {
    const parsed = parseObserveBody(req.body);
    if (refused(res, parsed)) return;
    if (failedRun(parsed.value)) {
      metrics.observed("ignored");
      res.json(IGNORED_RUN_RESPONSE);
      return;
    }
    const refusal = deps.observeRefusal?.();
    if (refusal !== undefined) {
      res.setHeader("retry-after", "1");
      res.status(503).json({ code: "SCORING_NOT_LEADER", message: refusal });
      return;
    }
    const { jobType, gpuType, runtimeS, colocatedJobTypes } = parsed.value;
    // Synchronous: returns after the journal row is committed, so the 200 below follows the fsync.
    const recorded = guarded(res, parsed.field, () => store.observe({ jobType, gpuType, runtimeS, colocatedJobTypes }));
    if (recorded === undefined) return;
    metrics.observed(recorded.learned);
    res.json(observeResponse(recorded));
  });

  router.post("/v1/assign", timed("assign"), json, (req, res) => {
    const parsed = parseAssignBody(req.body);
    if (refused(res, parsed)) return;
    const result = guarded(res, parsed.field, () => assign(model, parsed.value));
    if (result !== undefined) res.json(assignResponse(result));
  });

  router.get("/", timed("info"), (_req, res) => {
    res.json(infoResponse(deps.version ?? "unknown", model.config, model.metrics(), store.pendingObservations()));
  });

  router.use(bodyErrors(log, maxBodyBytes));
  return router;
}

/** Body-parser refusals become 4xx with our code; anything else is a bug of ours: 500, logged. */
function bodyErrors(log: Logger, maxBodyBytes: number): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const e = err as { type?: unknown; status?: unknown; message?: unknown };
    const status = typeof e.status === "number" && e.status >= 400 && e.status < 500 ? e.status : 500;
    if (status === 500) {
      log.error({ err, component: "scoring", path: req.path }, "scoring request failed");
      res.status(500).json({ code: "INTERNAL", message: "internal error; see the controller log" });
      return;
    }
    const message =
      e.type === "entity.too.large" ? `body exceeds the ${maxBodyBytes}-byte limit`
      : e.type === "entity.parse.failed" ? `not valid JSON (${String(e.message)})`
      : String(e.message);
    // After a refused oversized body the rest of it may still be on the wire: close rather than drain it.
    if (status === 413) res.set("connection", "close");
    res.status(status).json({ code: INPUT_INVALID, message: `body: ${message}`, field: "body" });
  };
}

/**
 * `GET /v1/spend`: the spend routing this replica uses, the decision behind it and whether this replica
 * is the one deciding. For people (`steward spend status`) and scripts; every replica answers, each
 * with its own view (a follower shows the stored decision it routes by).
 */
import express, { type Router } from "express";
import type { PidComponents, SpendDecision, SpendReason } from "../../core/spend/index.js";
import type { SpendRouting } from "../scorers.js";
import type { SpendLoop } from "./loop.js";
import type { SpendFigures } from "./sources/index.js";

export interface SpendStatus {
  /** False when no spend source is configured: routing is off and every field below is null. */
  enabled: boolean;
  pool: string | null;
  /** The configured source. */
  source: string | null;
  /** Whether this replica runs the loop (holds the Lease). */
  leader: boolean;
  /** What the extender routes by now; null = off (no decision yet, or the last one is too old). */
  routing: SpendRouting | null;
  /** The last stored decision, even when too old to route by. */
  reason: SpendReason | null;
  pid: PidComponents | null;
  figures: SpendFigures | null;
  decision: Omit<SpendDecision, "components" | "reason"> | null;
  /** When the decision was made, ISO 8601. */
  updatedAt: string | null;
  /** The last failed cycle since the last decision (source down, store error). */
  lastError: { code: string; message: string; at: string } | null;
}

const OFF: SpendStatus = {
  enabled: false,
  pool: null,
  source: null,
  leader: false,
  routing: null,
  reason: null,
  pid: null,
  figures: null,
  decision: null,
  updatedAt: null,
  lastError: null,
};

export function spendStatus(loop: SpendLoop | undefined): SpendStatus {
  if (loop === undefined) return OFF;
  const record = loop.latest();
  const failure = loop.lastFailure;
  const status: SpendStatus = {
    ...OFF,
    enabled: true,
    pool: loop.pool,
    source: loop.sourceName,
    leader: loop.leading,
    routing: loop.routing() ?? null,
    lastError: failure === undefined ? null : { code: failure.code, message: failure.message, at: new Date(failure.atMs).toISOString() },
  };
  if (record === undefined) return status;
  const { components, reason, ...decision } = record.decision;
  return { ...status, reason, pid: { ...components }, figures: { ...record.figures }, decision, updatedAt: new Date(record.updatedMs).toISOString() };
}

/** Mount on the extender port. `loop` absent (spend routing off): answers `enabled: false`. */
export function createSpendStatusApi(opts: { loop?: SpendLoop }): Router {
  const router = express.Router();
  router.get("/v1/spend", (_req, res) => {
    res.json(spendStatus(opts.loop));
  });
  return router;
}

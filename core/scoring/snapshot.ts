import { z } from "zod";
import { ScoringInputError } from "./errors.js";
import { MAX_SLOWDOWN_SAMPLE } from "./interference.js";
import { MAX_RUNTIME_S } from "./runtimeStats.js";

/**
 * The learned model as plain data: what a store persists and what the leader publishes to followers.
 * Field-for-field the seed's two SQLite tables (stats, interference), with times in epoch ms. The
 * decision counters are not part of it: as in the seed they are per process and restart at zero.
 */
export const ModelSnapshot = z.object({
  schemaVersion: z.literal(1),
  stats: z.array(
    z.object({
      jobType: z.string().min(1),
      gpuType: z.string().min(1),
      // Bounds an observe() could produce; larger values would let a cost overflow (see MAX_RUNTIME_S).
      meanRuntimeS: z.number().min(0).max(MAX_RUNTIME_S),
      variance: z.number().gt(0).max(MAX_RUNTIME_S * MAX_RUNTIME_S),
      count: z.number().int().min(1),
      lastUpdatedMs: z.number(),
    }),
  ),
  /** Only pairs with a positive slowdown; a missing pair reads as 0. */
  interference: z.array(
    z.object({
      jobType: z.string().min(1),
      coJobType: z.string().min(1),
      slowdown: z.number().min(0).max(MAX_SLOWDOWN_SAMPLE),
    }),
  ),
});
export type ModelSnapshot = z.infer<typeof ModelSnapshot>;

export const SNAPSHOT_SCHEMA_VERSION = 1 as const;

/**
 * Checks untrusted snapshot data (a database row set, a ConfigMap) before a model is built from it.
 * Throws ScoringInputError naming the first bad field, e.g. `snapshot.stats.3.variance`.
 */
export function parseModelSnapshot(input: unknown): ModelSnapshot {
  const parsed = ModelSnapshot.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScoringInputError(["snapshot", ...(issue?.path ?? [])].join("."), issue?.message ?? "invalid");
  }
  const seen = new Set<string>();
  parsed.data.stats.forEach((s, i) => {
    const key = JSON.stringify([s.jobType, s.gpuType]);
    if (seen.has(key)) throw new ScoringInputError(`snapshot.stats.${i}`, `duplicate pair ${s.jobType} on ${s.gpuType}`);
    seen.add(key);
  });
  seen.clear();
  parsed.data.interference.forEach((r, i) => {
    const key = JSON.stringify([r.jobType, r.coJobType]);
    if (seen.has(key)) throw new ScoringInputError(`snapshot.interference.${i}`, `duplicate pair ${r.jobType} with ${r.coJobType}`);
    seen.add(key);
  });
  return parsed.data;
}

/**
 * Port to wherever snapshots live. The extender implements it over better-sqlite3 (the seed's
 * `stats` / `interference` tables, replaced wholesale on each save) and the leader's ConfigMap;
 * `MemoryModelStore` is the in-memory one for tests and standalone runs.
 */
export interface ModelStore {
  /** The last saved snapshot, or undefined when nothing was saved yet. */
  load(): Promise<ModelSnapshot | undefined>;
  /** Replaces what was saved; a later load on the same store (or another handle to it) sees it. */
  save(snapshot: ModelSnapshot): Promise<void>;
}

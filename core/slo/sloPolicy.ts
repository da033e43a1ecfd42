import { z } from "zod";

/**
 * When a tenant counts as violating its SLO. Defaults are the original Cluster-Helper's
 * (`tail_threshold_ms`, `persistence_windows`, `cooldown_observations`); a pod's own
 * `gpu-steward.io/p99-slo-ms` replaces the threshold for that pod.
 */
export const SloPolicy = z.object({
  /** p99 above this (strictly) is a breach. */
  tailThresholdMs: z.number().gt(0).default(100),
  /** Consecutive breaching observations before a tenant is violated (1 = the first breach). */
  persistenceWindows: z.number().int().min(1).default(3),
  /** Observations a victim is left alone after an action, so the action can take effect. */
  cooldownObservations: z.number().int().min(1).default(10),
});
export type SloPolicy = z.infer<typeof SloPolicy>;

export const DEFAULT_SLO_POLICY: Readonly<SloPolicy> = Object.freeze(SloPolicy.parse({}));

/** Latencies kept per tenant (the original's deque length); severity reads the last 3 of them. */
export const LATENCY_HISTORY_LENGTH = 10;
export const SEVERITY_WINDOW = 3;

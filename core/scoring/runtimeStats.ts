import type { RuntimeStats } from "./types.js";

/** Weight of a new observation in the exponentially weighted mean and variance. */
export const LEARNING_RATE = 0.1;
/** Variance given to a pair after its first observation: one run says little about the spread. */
export const FIRST_OBSERVATION_VARIANCE = 1;
/** Keeps σ ≥ 0.1 so a pair with identical runs still has some information gain and a finite IG ratio. */
export const VARIANCE_FLOOR = 0.01;
/**
 * Largest runtime accepted (about 31 years). Not in the seed: without a bound a runtime near 1e308
 * squares to Infinity and the cost becomes Infinity − Infinity = NaN. With runtimes in [0, R] the
 * variance stays ≤ R² (each step gives at most 0.9·(R² + 0.1·R²)), so every term stays finite.
 */
export const MAX_RUNTIME_S = 1e9;

export function firstStats(runtimeS: number, nowMs: number): RuntimeStats {
  return { meanRuntimeS: runtimeS, variance: FIRST_OBSERVATION_VARIANCE, count: 1, lastUpdatedMs: nowMs };
}

/**
 * Folds one runtime into a pair's stats (exponentially weighted, a = LEARNING_RATE, d = x − μ_old):
 *   μ   = (1 − a)·μ_old + a·x
 *   σ²  = max(VARIANCE_FLOOR, (1 − a)·(σ²_old + a·d²))
 * Deviation from the seed: it used (1 − a)·σ²_old + a·d², which overweights each new deviation (its
 * stationary value is the variance ÷ (1 − a)) and failed its own noisy-runtime test (σ 5.23 > 5).
 * The form above is the incremental EW variance (Finch 2009); constant series give the same numbers.
 */
export function updateStats(prev: RuntimeStats, runtimeS: number, nowMs: number): RuntimeStats {
  const a = LEARNING_RATE;
  const d = runtimeS - prev.meanRuntimeS;
  return {
    meanRuntimeS: (1 - a) * prev.meanRuntimeS + a * runtimeS,
    variance: Math.max(VARIANCE_FLOOR, (1 - a) * (prev.variance + a * d * d)),
    count: prev.count + 1,
    lastUpdatedMs: nowMs,
  };
}

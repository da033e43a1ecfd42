import type { ScoreTerms } from "./types.js";

/** Exploration share the seed treated as free; its regret gauge counts only what lies above it. */
export const BASELINE_EXPLORATION_RATIO = 0.1;

/** Label value for a decisions counter: high σ in the reported terms means the pick explored. */
export function decisionTypeOf(terms: ScoreTerms): "exploration" | "exploitation" {
  return terms.sigma > 1 ? "exploration" : "exploitation";
}

/** Rough regret gauge of the seed: max(0, explorationRatio − 0.1). */
export function regretEstimate(explorationRatio: number): number {
  return Math.max(0, explorationRatio - BASELINE_EXPLORATION_RATIO);
}

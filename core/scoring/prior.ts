import type { RuntimeEstimate, RuntimeStats } from "./types.js";

/**
 * Estimate for a pair never observed: mean 10 s with variance 25 (σ = 5). Deliberately vague so an
 * unseen pair carries a large information gain and gets tried; the seed's numbers, kept so scores
 * match its vectors (unseen cost 9.70730774149893 with the default weights).
 */
export const PRIOR: Readonly<RuntimeEstimate> = Object.freeze({ meanRuntimeS: 10, variance: 25 });

export function estimateOf(stats: RuntimeStats | undefined): RuntimeEstimate {
  return stats === undefined ? { ...PRIOR } : { meanRuntimeS: stats.meanRuntimeS, variance: stats.variance };
}

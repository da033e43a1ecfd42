import type { ScoringConfig } from "./config.js";
import { informationGain } from "./informationGain.js";
import type { RuntimeEstimate, ScoreTerms } from "./types.js";

/**
 * cost(job, gpu) = μ + λ·σ − β·IG(σ²) + γ·penalty   (lower is better)
 * μ favours the fastest GPU, λ·σ distrusts vague estimates, −β·IG pays for what a run would teach,
 * γ·penalty avoids learned noisy neighbours. Evaluated left to right as the seed did, so costs match
 * its vectors exactly.
 */
export function candidateTerms(estimate: RuntimeEstimate, penalty: number, c: ScoringConfig): ScoreTerms {
  const sigma = Math.sqrt(estimate.variance);
  const ig = informationGain(estimate.variance, c.tauSquared);
  const cost = estimate.meanRuntimeS + c.lambdaUncertainty * sigma - c.betaExploration * ig + c.gammaInterference * penalty;
  return { mu: estimate.meanRuntimeS, sigma, ig, penalty, cost };
}

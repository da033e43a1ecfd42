import { z } from "zod";
import { ScoringInputError } from "./errors.js";

/**
 * Knobs of the learned-runtime scorer (seed: radix-core scheduler agent, `SCHEDULER_*` settings).
 * Defaults are those of the agent's own `app/config.py`, which its tests assume: interference on with
 * γ = 0.5. (The library config its `main.py` served had γ = 0 and interference off; set those two
 * fields to get that behaviour.)
 */
export const ScoringConfig = z.object({
  /** λ: weight of σ in the cost (penalises uncertain estimates). */
  lambdaUncertainty: z.number().min(0).default(0.3),
  /** β: weight of the information gain (rewards learning something). */
  betaExploration: z.number().min(0).default(0.7),
  /** γ: weight of the learned co-location slowdown. */
  gammaInterference: z.number().min(0).default(0.5),
  /** τ²: observation-noise variance in IG = ½·ln(1 + σ²/τ²); must be > 0 or IG divides by zero. */
  tauSquared: z.number().gt(0).default(0.15),
  /** Largest share of decisions that may pick a high-variance (σ² > 1) candidate; ≥ 1 means no cap. */
  explorationCap: z.number().min(0).default(0.25),
  enableInterference: z.boolean().default(true),
  /** Batched soft assignment (sinkhorn.ts) for callers that place several jobs at once; off as in the seed. */
  enableSinkhorn: z.boolean().default(false),
  /** Most (job type, GPU type) pairs kept; beyond it the least recently updated go. */
  retentionPairs: z.number().int().min(1).default(1000),
});
export type ScoringConfig = z.infer<typeof ScoringConfig>;
export type ScoringConfigInput = z.input<typeof ScoringConfig>;

export const DEFAULT_SCORING_CONFIG: Readonly<ScoringConfig> = Object.freeze(ScoringConfig.parse({}));

/** Parses and freezes a config; throws ScoringInputError naming the first bad field. */
export function resolveScoringConfig(input: ScoringConfigInput = {}): Readonly<ScoringConfig> {
  const parsed = ScoringConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScoringInputError(`config.${issue?.path.join(".") ?? ""}`, issue?.message ?? "invalid");
  }
  return Object.freeze(parsed.data);
}

/**
 * Asks a primary recommender (ADO) and, when it cannot answer, a fallback (the embedded model).
 * "Cannot answer" is unavailability, or a model/GPU outside the primary's domain: ADO's classifier
 * knows 30 models and 4 GPUs, the embedded model more. ADO's `no-fit` is a real answer and stands.
 */
import type { Logger } from "pino";
import type { SizingFailure, SizingLimits, TuningInputs } from "../../core/sizing/types.js";
import type { Recommender, RecommenderAnswer, RecommenderName } from "./types.js";

/** Primary failures that hand the question to the fallback. */
export const FALLBACK_ON: ReadonlySet<SizingFailure> = new Set<SizingFailure>([
  "recommender-unavailable",
  "unknown-model",
  "unknown-gpu",
]);

export interface FallbackRecommenderOptions {
  primary: Recommender;
  fallback: Recommender;
  log?: Logger;
}

export class FallbackRecommender implements Recommender {
  /** Named after the primary: the configured recommender, which the fallback only stands in for. */
  readonly name: RecommenderName;
  private readonly primary: Recommender;
  private readonly fallback: Recommender;
  private readonly log: Logger | undefined;

  constructor(opts: FallbackRecommenderOptions) {
    this.primary = opts.primary;
    this.fallback = opts.fallback;
    this.name = opts.primary.name;
    this.log = opts.log?.child({ component: "recommender", recommender: opts.primary.name });
  }

  async recommend(inputs: TuningInputs, limits: SizingLimits, deadlineMs: number): Promise<RecommenderAnswer> {
    const first = await ask(this.primary, inputs, limits, deadlineMs);
    if (first.result.ok || !FALLBACK_ON.has(first.result.code)) return first;
    const from = first.recommender;
    const reason = first.result.reason;
    this.log?.warn({ from, to: this.fallback.name, code: first.result.code, reason }, "recommender fell back");
    const second = await ask(this.fallback, inputs, limits, deadlineMs);
    return { result: second.result, recommender: second.recommender, fallback: { from, reason } };
  }
}

/** Recommenders promise not to throw; one that does still yields an answer, not a failed admission. */
async function ask(
  recommender: Recommender,
  inputs: TuningInputs,
  limits: SizingLimits,
  deadlineMs: number,
): Promise<RecommenderAnswer> {
  try {
    return await recommender.recommend(inputs, limits, deadlineMs);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      result: { ok: false, code: "recommender-unavailable", reason: `${recommender.name} recommender threw: ${message}` },
      recommender: recommender.name,
    };
  }
}

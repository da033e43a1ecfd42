import type { SizingLimits, SizingResult, TuningInputs } from "../../core/sizing/types.js";

export type RecommenderName = "embedded" | "ado";

/** A recommender's answer plus how it was reached (for the annotation and metrics). */
export interface RecommenderAnswer {
  result: SizingResult;
  /** Who produced `result`. */
  recommender: RecommenderName;
  /** Set when the configured recommender failed and another answered instead. */
  fallback?: { from: RecommenderName; reason: string };
}

/**
 * Port for GPU-count recommenders. `deadlineMs` is an absolute time (Clock.nowMs() scale) by which
 * an answer must be returned; remote recommenders stop waiting then and report unavailability.
 */
export interface Recommender {
  readonly name: RecommenderName;
  /**
   * The same inputs and limits always give the same answer (a pure model, no remote state), so a
   * decision built on it may be remembered. Absent means no.
   */
  readonly deterministic?: boolean;
  recommend(inputs: TuningInputs, limits: SizingLimits, deadlineMs: number): Promise<RecommenderAnswer>;
}

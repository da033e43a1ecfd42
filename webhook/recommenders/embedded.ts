/**
 * The in-process recommender: the analytical memory model of core/sizing (spec §4). Synchronous and
 * local, so it ignores the deadline; it is the fallback when ADO cannot answer.
 */
import { recommendGpus } from "../../core/sizing/recommend.js";
import type { SizingLimits, SizingResult, TuningInputs } from "../../core/sizing/types.js";
import type { Recommender, RecommenderAnswer } from "./types.js";

export type RecommendGpus = (inputs: TuningInputs, limits: SizingLimits) => SizingResult;

export class EmbeddedRecommender implements Recommender {
  readonly name = "embedded" as const;
  readonly deterministic = true;
  private readonly recommendFn: RecommendGpus;

  /** `recommend` replaces the memory model (tests, calibration experiments). */
  constructor(opts: { recommend?: RecommendGpus } = {}) {
    this.recommendFn = opts.recommend ?? recommendGpus;
  }

  async recommend(inputs: TuningInputs, limits: SizingLimits, _deadlineMs: number): Promise<RecommenderAnswer> {
    try {
      return { result: this.recommendFn(inputs, limits), recommender: "embedded" };
    } catch (err) {
      // The model is pure and should not throw; if it does, the job is admitted unchanged with this reason.
      const message = err instanceof Error ? err.message : String(err);
      return {
        result: { ok: false, code: "recommender-unavailable", reason: `embedded memory model failed: ${message}` },
        recommender: "embedded",
      };
    }
  }
}

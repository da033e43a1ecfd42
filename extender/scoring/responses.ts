/**
 * Response bodies of the scoring API, in the seed README's snake_case (what its webhook consumed,
 * seed spec §C.7), with the additions it recommends (`terms.chosen_gpu`) and ours (decision type,
 * every candidate's terms, journal id).
 */
import type { ModelMetrics, ScoreDecision, ScoringConfig } from "../../core/scoring/index.js";
import type { AssignResult } from "./assign.js";
import type { RecordedObservation } from "./store.js";

export function scoreResponse(d: ScoreDecision) {
  return {
    priority_score: d.priorityScore,
    gpu_selector: d.gpuSelector,
    avoid_co_locate_with: d.avoidCoLocateWith,
    terms: { ...d.terms, chosen_gpu: d.chosenGpu },
    decision_type: d.mode,
    candidates: d.candidates.map(({ gpuType, priorityScore, ...terms }) => ({ gpu_type: gpuType, priority_score: priorityScore, ...terms })),
  };
}

export function observeResponse(r: RecordedObservation) {
  return { status: "ok", learned: r.learned, observation_id: r.id };
}

/** A failed run is acknowledged but neither stored nor learned. */
export const IGNORED_RUN_RESPONSE = { status: "ignored", reason: "the run did not succeed; only finished runs teach runtimes" } as const;

export function assignResponse(r: AssignResult) {
  return {
    assignments: r.assignments.map((a) => ({
      ...(a.jobType !== undefined && { job_type: a.jobType }),
      shares: a.shares.map((s) => ({ gpu_index: s.gpuIndex, ...(s.gpuType !== undefined && { gpu_type: s.gpuType }), share: s.share })),
    })),
    costs: r.costs,
  };
}

export const SERVICE_NAME = "gpu-steward-scoring";

export function infoResponse(version: string, c: Readonly<ScoringConfig>, m: ModelMetrics, pendingObservations: number) {
  return {
    service: SERVICE_NAME,
    version,
    config: {
      lambda_uncertainty: c.lambdaUncertainty,
      beta_exploration: c.betaExploration,
      gamma_interference: c.gammaInterference,
      tau_squared: c.tauSquared,
      exploration_cap: c.explorationCap,
      enable_interference: c.enableInterference,
      // Reported as the seed did; /v1/assign is served either way (the flag gates nothing there).
      enable_sinkhorn: c.enableSinkhorn,
      retention_pairs: c.retentionPairs,
    },
    model: {
      stats_count: m.statsCount,
      interference_pairs: m.interferencePairs,
      decisions_total: m.decisionsTotal,
      exploration_decisions: m.explorationDecisions,
      exploration_ratio: m.explorationRatio,
      avg_uncertainty: m.avgUncertainty,
    },
    pending_observations: pendingObservations,
  };
}

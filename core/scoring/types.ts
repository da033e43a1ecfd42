/**
 * Vocabulary of the learned-runtime scorer. Runtimes are in seconds, times in epoch milliseconds.
 * Everything here is plain data so it can cross the HTTP layer and the store unchanged.
 */

/** What the model has learned about one (job type, GPU type) pair. */
export interface RuntimeStats {
  meanRuntimeS: number;
  /** Exponentially weighted variance of the runtime, never below VARIANCE_FLOOR. */
  variance: number;
  /** Observations folded into this pair (solo runs only once interference is learned apart). */
  count: number;
  /** When the pair last changed; retention drops the oldest first. */
  lastUpdatedMs: number;
}

/** Mean and variance used for scoring: learned stats, or the prior for an unseen pair. */
export interface RuntimeEstimate {
  meanRuntimeS: number;
  variance: number;
}

export interface ScoreRequest {
  jobType: string;
  /** GPU types (node classes) to choose from; order breaks ties. */
  candidateGpuTypes: readonly string[];
  /** Job types already running where this job would land. */
  colocatedJobTypes?: readonly string[];
}

/** Cost terms of one candidate: cost = mu + λ·sigma − β·ig + γ·penalty. */
export interface ScoreTerms {
  mu: number;
  sigma: number;
  ig: number;
  penalty: number;
  cost: number;
}

export interface CandidateScore extends ScoreTerms {
  gpuType: string;
  /** 0..100, 100 for the cheapest candidate; 50 for all when costs do not differ. */
  priorityScore: number;
}

/**
 * `exploration`: the cheapest candidate was a high-variance one and the cap allowed it.
 * `capped`: it was high-variance but the cap was reached, so the lowest-mean candidate was taken.
 * `exploitation`: the cheapest candidate was already well known.
 */
export type DecisionMode = "exploration" | "exploitation" | "capped";

export interface GpuToleration {
  key: string;
  operator: "Exists";
  effect: "NoSchedule";
}

export interface GpuSelector {
  nodeSelector: Record<string, string>;
  tolerations: GpuToleration[];
}

export interface ScoreDecision {
  chosenGpu: string;
  /** Priority of the chosen candidate, 0..100. */
  priorityScore: number;
  gpuSelector: GpuSelector;
  /** Co-located job types whose learned slowdown exceeds AVOID_SLOWDOWN_THRESHOLD, in request order. */
  avoidCoLocateWith: string[];
  /** Terms of the chosen candidate; sigma and ig are 0 for a capped (mean-only) decision. */
  terms: ScoreTerms;
  mode: DecisionMode;
  /** Every candidate in request order, for ranking nodes and for the decision annotation. */
  candidates: CandidateScore[];
}

export interface Observation {
  jobType: string;
  gpuType: string;
  /** Measured runtime of the finished job. */
  runtimeS: number;
  /** Job types that shared the node while it ran; empty for a solo run. */
  colocatedJobTypes?: readonly string[];
}

export interface ModelMetrics {
  decisionsTotal: number;
  explorationDecisions: number;
  /** explorationDecisions ÷ max(1, decisionsTotal). */
  explorationRatio: number;
  /** Mean σ over the stored pairs, 0 when none. */
  avgUncertainty: number;
  statsCount: number;
  interferencePairs: number;
}

/**
 * Public surface of core/scoring: the learned runtime model that ranks GPU types for a job
 * (prior, EW runtime stats, information gain, exploration cap, interference), its snapshot and
 * store port, and the optional Sinkhorn batch assignment. See README.md for the formulas.
 */
export type * from "./types.js";
export { ScoringConfig, DEFAULT_SCORING_CONFIG, resolveScoringConfig } from "./config.js";
export type { ScoringConfigInput } from "./config.js";
export { ScoringInputError, isScoringInputError } from "./errors.js";
export { ScoringModel } from "./model.js";
export type { ObserveOutcome } from "./model.js";
export { PRIOR } from "./prior.js";
export { FIRST_OBSERVATION_VARIANCE, LEARNING_RATE, MAX_RUNTIME_S, VARIANCE_FLOOR } from "./runtimeStats.js";
export { informationGain } from "./informationGain.js";
export { EXPLORATION_VARIANCE, explorationAllowed } from "./explorationCap.js";
export { AVOID_SLOWDOWN_THRESHOLD, INTERFERENCE_RATE, MAX_SLOWDOWN_SAMPLE } from "./interference.js";
export { GPU_CLASS_LABEL, gpuSelectorFor } from "./gpuSelector.js";
export { BASELINE_EXPLORATION_RATIO, decisionTypeOf, regretEstimate } from "./decisionMetrics.js";
export { ModelSnapshot, SNAPSHOT_SCHEMA_VERSION, parseModelSnapshot } from "./snapshot.js";
export type { ModelStore } from "./snapshot.js";
export { MemoryModelStore } from "./memoryStore.js";
export {
  DEFAULT_SINKHORN_EPSILON,
  DEFAULT_SINKHORN_MAX_ITERATIONS,
  MIN_ASSIGNMENT_SHARE,
  SINKHORN_DENOMINATOR_GUARD,
  assignJobsToGpus,
  solveSinkhorn,
} from "./sinkhorn.js";
export type { GpuShare, SinkhornOptions, TransportPlan } from "./sinkhorn.js";

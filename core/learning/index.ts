/**
 * Public surface of core/learning: reading a PyTorchJob run, sampling where it runs and with whom,
 * and deciding what its completion teaches the learned model (core/scoring).
 */
export { jobTypeFromModel, readJobRun, TRAINING_JOB_NAME_LABEL, TRAINING_REPLICA_TYPE_LABEL } from "./jobRun.js";
export type { JobRun, JobRunOptions, JobRunReading, JobRunState, RuntimeReading } from "./jobRun.js";
export { mergeColocated, placementSample } from "./placementSample.js";
export type { JobPod, PlacementSample, SampledNode } from "./placementSample.js";
export { FAILED_RUN_REASONS, runVerdict, SKIP_REASONS } from "./verdict.js";
export type { FailedRunReason, RunSamples, RunVerdict, SkipReason } from "./verdict.js";

/** Public surface of extender/learner: the leader-only loop that teaches the learned model from finished PyTorchJobs. */
export { Learner, PYTORCHJOBS, type LearnerDeps, type LearnerStepReport } from "./learner.js";
export { LearnerConfig, learnerOptions, type LearnerConfigInput } from "./config.js";
export { LearnerMetrics, type LearnerOutcome, type LearnerOperation } from "./metrics.js";
export { LearnerRuns, type LearnerRun, type RunOutcome } from "./runs.js";

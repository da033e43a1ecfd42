export { decodeSystemDocument, decodeSystemDocuments, INFERENCE_DOCUMENT_NAMES, type DecodeResult, type InferenceDocumentName, type InferenceInputError } from "./decode.js";
export type { AllocationData, AcceleratorSpec, ModelPerf, OptimizerSpec, ServerLoad, ServerSpec, ServiceClassSpec, SystemSpec } from "./documents.js";
export { createQueueAnalyzer, DEFAULT_MAX_NUM_TOKENS, type QueueAnalyzer, type QueueConfig, type QueueMetrics, type SizeResult, type SloTargets } from "./queueAnalyzer.js";
export { DEFAULT_INFERENCE_PROFILE, INFERENCE_PROFILES, isInferenceProfile, type InferenceProfile } from "./profiles.js";
export type { Outcome } from "./outcome.js";
export { buildCandidates, optimize, type OptimizationResult, type ServerAllocation, type ServerCandidates, type ServerStatus } from "./optimize.js";
export { maxRpmPerReplica, type Candidate } from "./candidate.js";
export { SATURATION_POLICIES, saturationPolicyOf, type SaturationPolicy } from "./bestEffort.js";
export { goFloat32 } from "./goFormat.js";
export { shortestFloat32 } from "./float32.js";
export {
  CLASSIC_DEFAULTS,
  CLASSIC_RPM_BOUNDS,
  CLASSIC_TOKEN_BOUNDS,
  emulateStep,
  firstSight,
  MEAN_REVERTING_DEFAULTS,
  normalSource,
  type EmulatedLoad,
  type EmulatorMemory,
  type EmulatorMode,
  type EmulatorSettings,
} from "./loadEmulator.js";
export { seededUniform } from "./seededUniform.js";

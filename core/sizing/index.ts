/** Public surface of core/sizing: model table, name mapping, GPU table, memory model, GPU-count search. */
export type * from "./types.js";
export type { ModelArchitecture, ModuleNaming, ParameterCount } from "./models.js";
export { AUTOCONF_MODEL_NAMES, modelArchitecture, modelParameters, parameterCount } from "./models.js";
export { normaliseGpuModel, toAutoconfGpuModel, toAutoconfModelName } from "./modelNames.js";
export { KNOWN_GPU_PRODUCTS, gpuMemoryGiB, gpuProductLabel } from "./gpus.js";
export type { MemoryBreakdown, MemoryEstimate, MemoryInputs } from "./memory.js";
export {
  DEFAULT_LORA_RANK,
  FIXED_OVERHEAD_BYTES,
  FRAGMENTATION_FACTOR,
  estimateMemoryPerGpu,
  loraTrainableParams,
} from "./memory.js";
export { USABLE_MEMORY_FRACTION, recommendGpus } from "./recommend.js";

export { fitKeyOf, freeGpus, placementKeyOf, type NodeCapacity, type NodeTopology } from "./capacity.js";
export { checkFit, type Fit } from "./filter.js";
export { acceptedProducts, GPU_PRODUCT_LABEL, GPU_RESOURCE, gpuRequestOf, JOB_TYPE_LABEL, podGpus, type GpuRequest, type PodLike } from "./podRequest.js";
export {
  checkWeights,
  COMPONENTS,
  DEFAULT_WEIGHTS,
  MAX_EXTENDER_PRIORITY,
  NEUTRAL_COMPONENT,
  NEUTRAL_COMPONENTS,
  nodeScore,
  scoreOf,
  type Component,
  type Components,
  type Weights,
} from "./score.js";

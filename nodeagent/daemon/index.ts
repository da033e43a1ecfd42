export { AgentCycle, type ActionRecord, type CycleDeps, type CycleResult, type Mitigation, type TenantView, type Tier2 } from "./cycle.js";
export { MIG_CONFIG_LABEL, MigLayoutRequester, type MigRequestRecord, type MigRequestResult, type NodeLabelsPort } from "./migRequest.js";
export { GPU_RESOURCE_PREFIX, gpuIdOf, podGpus, type PodDevicesLike, type PodGpus } from "./podDevices.js";

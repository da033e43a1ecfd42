export { AgentCycle, type ActionRecord, type ActiveThrottle, type CycleDeps, type CycleResult, type Mitigation, type TenantView, type Tier2 } from "./cycle.js";
export { MIG_CONFIG_LABEL, MigLayoutRequester, recordMigEvent, type MigRequestRecord, type MigRequestResult, type NodeLabelsPort, type Tier2Context, type Tier2Requester } from "./migRequest.js";
export { gpuIdOf, isGpuResource, podGpus, type PodDevicesLike, type PodGpus } from "./podDevices.js";
export { AgentMetrics, type AgentInput } from "./metrics.js";
export { buildAgent, startAgent, type AgentDeps, type AgentKube, type AgentParts, type RunningAgent } from "./agent.js";
export { AgentConfig } from "./config.js";
export { buildReportStatus, type ReportContext } from "./reportStatus.js";
export { MigDirectReconfigurer, type MigDirectOptions } from "./migDirect.js";

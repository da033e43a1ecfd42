/** Public surface of core/nodeReport: the NodeReport's schema and types, its size budget, and the small builders the agent uses. */
export { AgentStatus, DEFAULT_MISSED_POLLS, isStale, MAX_PROBLEM_CHARS, MAX_PROBLEMS } from "./agent.js";
export { GpuAllocation, GpuAllocations, MAX_ALLOCATIONS } from "./allocation.js";
export { Condition, CONDITION_DEGRADED, CONDITION_READY, Conditions, MAX_CONDITIONS } from "./conditions.js";
export { NodeReportInputError } from "./errors.js";
export { DeviceId, NamespaceName, ObjectName, PodUid, Rfc3339 } from "./fields.js";
export {
  GpuMigLayout,
  MAX_MIG_INSTANCES,
  MigLayout,
  migLayoutFromInstances,
  ReportComputeInstance,
  ReportGpuInstance,
  ReportMigPlacement,
} from "./migLayout.js";
export { NODE_REPORT_API_VERSION, NODE_REPORT_GROUP, NODE_REPORT_KIND, NODE_REPORT_PLURAL, NODE_REPORT_VERSION } from "./names.js";
export { MAX_REPLICAS, ReplicaReport, ReplicaReports } from "./replicas.js";
export { NodeReport, NodeReportSpec, NodeReportStatus, nodeReportStatus, parseNodeReport, parseNodeReportStatus } from "./report.js";
export { fitNodeReport, MAX_NODE_REPORT_BYTES, nodeReportSize, type FittedStatus } from "./size.js";
export { NodeReportSummary, summarize, type SummaryInput } from "./summary.js";
export { MAX_TENANTS, ReportedTenantState, TenantReport, TenantReports } from "./tenants.js";
export { MAX_THROTTLES, ThrottleReport, ThrottleReports } from "./throttles.js";
export { MAX_MIG_DEVICES, migModeForReport, NodeReportTopology, NodeReportGpu, ReportMigDevice, ReportMigMode, withTopologyHash } from "./topology.js";
export { canonicalJson, TOPOLOGY_HASH, topologyHash } from "./topologyHash.js";

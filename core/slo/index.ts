/** Public surface of core/slo: latency from histograms and metric files, tenant SLO states, Tier 1 throttle plans. */
export { histogramQuantile, type Bucket } from "./histogramQuantile.js";
export { requestCount, windowDelta, windowQuantile, type NoLatencyReason, type WindowDelta, type WindowLatency } from "./histogramWindow.js";
export { parseExposition, parseSampleValue, type Exposition, type ExpositionProblem, type Sample } from "./exposition.js";
export { histogramSeries, labelKey, sumByLe, type HistogramSeries } from "./histogramSeries.js";
export { LATENCY_FAMILIES, latencyHistogram, type LatencyHistogram, type LatencyKind } from "./vllm.js";
export { formatMetricFile, metricFilePid, parseMetricFile } from "./metricFile.js";
export { DEFAULT_SLO_POLICY, LATENCY_HISTORY_LENGTH, SEVERITY_WINDOW, SloPolicy } from "./sloPolicy.js";
export {
  inCooldown,
  newTenant,
  recentLatencies,
  recordLatency,
  startCooldown,
  tenantStatus,
  tickCooldown,
  type LatencyPoint,
  type Tenant,
  type TenantState,
  type TenantStatus,
} from "./tenantState.js";
export { describeViolation, TenantSloTracker, type StatusCounts, type TenantObservation, type Violation } from "./violations.js";
export { chooseBully, type BullyChoice, type BullyRelation, type NeighbourPod, type VictimPlacement } from "./bully.js";
export { DEFAULT_THROTTLE_POLICY, ThrottlePolicy } from "./throttlePolicy.js";
export {
  DEFAULT_CPU_PERIOD_US,
  formatCpuMax,
  MIB,
  MIN_CPU_QUOTA_US,
  nextCpuQuotaUs,
  nextIoLimitBytes,
  originalIoLimitBytes,
  parseCpuMax,
  severityShare,
  type CpuMax,
} from "./throttleSizing.js";
export {
  EMPTY_LEDGER,
  planRelease,
  planTighten,
  type PodThrottle,
  type SkipReason,
  type ThrottleLedger,
  type ThrottlePlan,
  type TightenRequest,
} from "./throttlePlan.js";
export { REPLICA_METRIC_NAMES, replicaCounters, replicaLoad, type ReplicaCounters, type ReplicaLoad } from "./replicaLoad.js";

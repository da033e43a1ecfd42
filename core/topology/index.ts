/** Public surface of core/topology: topo -m parsing, the NodeReport topology shape, best k-GPU subset. */
export { BUS_ID, normaliseBusId } from "./busId.js";
export type { CpuRange } from "./cpuList.js";
export { cpuCount, expandCpuList, formatCpuList, MAX_CPU_ID, parseCpuList } from "./cpuList.js";
export { CpuListError, TopoParseError, TopologyInputError } from "./errors.js";
export type { GpuInventoryEntry, ReportExtras } from "./fromMatrix.js";
export { topologyReportFromMatrix } from "./fromMatrix.js";
export type { Link, LinkClass } from "./linkClass.js";
export { parseLinkToken } from "./linkClass.js";
export type { LinkGraph } from "./linkGraph.js";
export { buildLinkGraph } from "./linkGraph.js";
export {
  CROSS_SOCKET_PERCENT,
  LINK_POINTS,
  linkPoints,
  MAX_PAIR_POINTS,
  NVLINK_BASE_POINTS,
  placementPercent,
  REMOTE_DISTANCE,
  SAME_NUMA_PERCENT,
  SAME_SOCKET_PERCENT,
} from "./quality.js";
export {
  MAX_REPORT_GPUS,
  MAX_REPORT_NICS,
  NumaNodeDistances,
  parseTopologyReport,
  TopologyGpu,
  TopologyNic,
  TopologyReport,
} from "./report.js";
export { NEUTRAL_TOPOLOGY_SCORE, neutralTopologyScore, topologyScore } from "./score.js";
export type { SubsetSearchOptions, TopologyScore } from "./subset.js";
export { bestGpuSubset, DEFAULT_MAX_EXACT_SUBSETS, subsetScore } from "./subset.js";
export type { AffinityColumn } from "./topoAffinity.js";
export type { TopoGpu, TopoMatrix, TopoNic } from "./topoMatrix.js";
export { linkBetween, parseTopoMatrix } from "./topoMatrix.js";

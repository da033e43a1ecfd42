/** platform/kube public surface: the ports, their two adapter sets, typed errors, leader election, the cluster-view sync and NodeReports. */
export type {
  ConfigMaps,
  CustomObject,
  ClusterWatches,
  CustomObjects,
  DeploymentChange,
  Deployments,
  EventRecord,
  EventRecorder,
  EventRecorderOptions,
  EventType,
  GroupVersionResource,
  KubeIdentity,
  KubePorts,
  Leases,
  ListOptions,
  NodeReportBody,
  NodeReports,
  ObjectList,
  ObjectRef,
  ObjectWatch,
  Secrets,
  WatchEvent,
  WatchOptions,
} from "./ports.js";
export { IN_CLUSTER, kubeAdapters, loadKubeConfig, runningInCluster, type KubeAdapterOptions, type LoadKubeConfigOptions } from "./client.js";
export { KubeEventRecorder } from "./events.js";
export { memoryAdapters, MemoryNodeReports, type MemoryKubePorts } from "./memory.js";
export { KubeNodeReports, NODE_REPORT_FIELD_MANAGER, NODE_REPORT_LABELS, NODE_REPORTS, NodeReportWriter } from "./nodeReports.js";
export { MemoryObjectStore } from "./memoryStore.js";
export { KubeDeployments } from "./deployments.js";
export { DEPLOYMENTS, MemoryDeployments } from "./memoryDeployments.js";
export { applyMergePatch } from "./mergePatch.js";
export { ConflictError, GoneError, InvalidError, isConflict, isGone, isNotFound, KubeApiError, KubeConfigError, NotFoundError } from "./errors.js";
export { kubeClusterWatches, KubeObjectWatch } from "./watches.js";
export { memoryClusterWatches, MemoryObjectWatch, NODES, PODS } from "./memoryWatch.js";
export { startClusterViewSync, type ClusterViewSync, type ClusterViewSyncOptions } from "./clusterViewSync.js";
export { ClusterViewSyncMetrics } from "./clusterViewMetrics.js";
export { LeaderElector, type ElectionStep, type LeaderElectionConfig, type RunOptions } from "./leader.js";

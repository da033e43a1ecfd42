/** platform/kube public surface: the ports, their two adapter sets, typed errors and leader election. */
export type {
  ConfigMaps,
  CustomObject,
  CustomObjects,
  EventRecord,
  EventRecorder,
  EventRecorderOptions,
  EventType,
  GroupVersionResource,
  KubeIdentity,
  KubePorts,
  Leases,
  ListOptions,
  ObjectRef,
  Secrets,
} from "./ports.js";
export { IN_CLUSTER, kubeAdapters, loadKubeConfig, runningInCluster, type KubeAdapterOptions, type LoadKubeConfigOptions } from "./client.js";
export { KubeEventRecorder } from "./events.js";
export { memoryAdapters, type MemoryKubePorts } from "./memory.js";
export { MemoryObjectStore } from "./memoryStore.js";
export { ConflictError, InvalidError, isConflict, isNotFound, KubeApiError, KubeConfigError, NotFoundError } from "./errors.js";
export { LeaderElector, type ElectionStep, type LeaderElectionConfig, type RunOptions } from "./leader.js";

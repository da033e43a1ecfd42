/** Public surface of nodeagent/podResources: the kubelet pod-resources client (which container holds which device). */
export type { ContainerAllocation, PodDevices, ResourceDevices } from "../../core/gpu/gpuHolders.js";
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_POD_RESOURCES_SOCKET,
  DEFAULT_POD_RESOURCES_TIMEOUT_MS,
  PodResourcesClient,
  type PodResourcesClientOptions,
} from "./client.js";
export { isPodResourcesError, PodResourcesError, type PodResourcesFailure } from "./errors.js";
export { POD_RESOURCES_PROTO } from "./protoFile.js";

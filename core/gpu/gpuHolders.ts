/**
 * Which pod holds which GPU, from the kubelet's pod-resources List (read by
 * `nodeagent/podResources`): the kubelet's device assignments as plain data, and the pure mapping
 * from a device id to its holder.
 */

/**
 * Devices of one extended resource given to a container (kubelet `ContainerDevices`). The kubelet sends
 * one per device and NUMA node (`containerDevicesFromResourceDeviceInstances`), so `deviceIds` usually
 * holds one id, and a device on two NUMA nodes comes twice; they are kept as sent.
 */
export interface ResourceDevices {
  /** `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`, `nvidia.com/gpu.shared`, … */
  readonly resourceName: string;
  /**
   * The device plugin's ids, as it gave them: GPU UUIDs (`GPU-3b84c06a-…`), MIG UUIDs (`MIG-8aa1fc52-…`,
   * older drivers `MIG-GPU-<uuid>/<gi>/<ci>`), indices (`0`, `0:1`) with DEVICE_ID_STRATEGY=index, or
   * `<uuid>::<replica>` for time-sliced GPUs.
   */
  readonly deviceIds: readonly string[];
  /** NUMA nodes the kubelet's topology manager reports for these devices; empty when it gives none. */
  readonly numaNodes: readonly number[];
}

export interface ContainerAllocation {
  readonly name: string;
  readonly devices: readonly ResourceDevices[];
}

/** One pod of the List answer. Pods that hold no device are listed too, with empty `devices`. */
export interface PodDevices {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly ContainerAllocation[];
}

export interface GpuHolder {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly resourceName: string;
}

/**
 * The NVIDIA device plugin's GPU resources: whole GPUs (`nvidia.com/gpu`, and `nvidia.com/gpu.shared`
 * when time-slicing renames it) and MIG devices (`nvidia.com/mig-1g.10gb`). Not all of `nvidia.com/`:
 * the NVIDIA network operator's resources (`nvidia.com/hostdev`, SR-IOV NIC pools) live there too, with
 * PCI addresses as device ids. A device plugin configured to rename GPUs to something else needs its
 * own prefix.
 */
export const GPU_RESOURCE_PREFIXES: readonly string[] = Object.freeze(["nvidia.com/gpu", "nvidia.com/mig-"]);

export interface GpuHoldersOptions {
  /** A resource counts when its name starts with this prefix (or one of these). */
  readonly resourcePrefix?: string | readonly string[];
}

/**
 * Maps each device id of a GPU resource to the container holding it. Ids are kept as the kubelet gave
 * them. The kubelet lists one entry per device and NUMA node, so a device on two NUMA nodes appears
 * twice under the same container; it gives a device to one container at a time, but should an id
 * appear under two containers anyway, the first in List order is kept.
 */
export function gpuHolders(pods: readonly PodDevices[], options: GpuHoldersOptions = {}): Map<string, GpuHolder> {
  const prefixes = typeof options.resourcePrefix === "string" ? [options.resourcePrefix] : (options.resourcePrefix ?? GPU_RESOURCE_PREFIXES);
  const holders = new Map<string, GpuHolder>();
  for (const pod of pods) {
    for (const container of pod.containers) {
      for (const group of container.devices) {
        if (!prefixes.some((p) => group.resourceName.startsWith(p))) continue;
        for (const id of group.deviceIds) {
          if (holders.has(id)) continue;
          holders.set(id, { namespace: pod.namespace, pod: pod.name, container: container.name, resourceName: group.resourceName });
        }
      }
    }
  }
  return holders;
}

/**
 * Which pod holds which GPU, as the kubelet's pod-resources API says (nodeagent/podResources), in the
 * shape the cycle needs: per pod UID, the GPU UUIDs and the NUMA nodes the kubelet placed them on.
 * Device ids of time-sliced GPUs carry a replica suffix (`GPU-…::3`); the GPU is the part before it.
 * MIG devices (`MIG-…`) are kept as they are: a MIG tenant is judged with the others on that instance.
 */
import { GPU_RESOURCE_PREFIXES } from "../../core/gpu/index.js";
import type { AgentPod } from "../tenants/index.js";

/** What pod-resources `List` returns, reduced to what is read here. */
export interface PodDevicesLike {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly { readonly name?: string; readonly devices: readonly { readonly resourceName: string; readonly deviceIds: readonly string[]; readonly numaNodes?: readonly number[] }[] }[];
}

export interface PodGpus {
  readonly gpus: string[];
  readonly numaNodes: number[];
}

/** `nvidia.com/gpu` and MIG resources; not the network operator's NICs, also under `nvidia.com/`. */
export function isGpuResource(resourceName: string): boolean {
  return GPU_RESOURCE_PREFIXES.some((p) => resourceName.startsWith(p));
}

export function gpuIdOf(deviceId: string): string {
  const cut = deviceId.indexOf("::");
  return cut === -1 ? deviceId : deviceId.slice(0, cut);
}

export function podGpus(devices: readonly PodDevicesLike[], pods: readonly AgentPod[]): Map<string, PodGpus> {
  const uidByName = new Map(pods.map((p) => [`${p.namespace}/${p.name}`, p.uid]));
  const out = new Map<string, PodGpus>();
  for (const d of devices) {
    const uid = uidByName.get(`${d.namespace}/${d.name}`);
    if (uid === undefined) continue;
    const gpus = new Set<string>();
    const numa = new Set<number>();
    for (const c of d.containers) {
      for (const dev of c.devices) {
        if (!isGpuResource(dev.resourceName)) continue;
        for (const id of dev.deviceIds) gpus.add(gpuIdOf(id));
        for (const n of dev.numaNodes ?? []) numa.add(n);
      }
    }
    if (gpus.size > 0) out.set(uid, { gpus: [...gpus].sort(), numaNodes: [...numa].sort((a, b) => a - b) });
  }
  return out;
}

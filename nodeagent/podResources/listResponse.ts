import { z } from "zod";
import type { PodDevices } from "../../core/gpu/gpuHolders.js";

/**
 * The decoded `ListPodResourcesResponse`, field names as in the .proto. Only what the agent uses is
 * checked (CPUs, memory and DRA claims are decoded but not read). proto3 decoding with defaults already
 * gives every field its type; the schema turns `unknown` into a type without a cast, and catches a
 * loader configured differently (int64 as Long objects, absent arrays) rather than passing it on.
 */
const ContainerDevicesWire = z.object({
  resource_name: z.string(),
  device_ids: z.array(z.string()),
  // proto3: an unset message field decodes to null.
  topology: z.object({ nodes: z.array(z.object({ ID: z.number().int() })) }).nullable(),
});

const ListPodResourcesResponseWire = z.object({
  pod_resources: z.array(
    z.object({
      name: z.string(),
      namespace: z.string(),
      containers: z.array(z.object({ name: z.string(), devices: z.array(ContainerDevicesWire) })),
    }),
  ),
});

/** Throws (with the path of the first bad field) when the decoded answer is not a List response. */
export function podDevicesFromList(decoded: unknown): PodDevices[] {
  const parsed = ListPodResourcesResponseWire.safeParse(decoded);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join(".") || "response"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data.pod_resources.map((pod) => ({
    namespace: pod.namespace,
    name: pod.name,
    containers: pod.containers.map((c) => ({
      name: c.name,
      devices: c.devices.map((d) => ({
        resourceName: d.resource_name,
        deviceIds: d.device_ids,
        numaNodes: d.topology?.nodes.map((n) => n.ID) ?? [],
      })),
    })),
  }));
}

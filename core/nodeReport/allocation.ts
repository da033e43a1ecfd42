/** `status.allocation`: which container holds which GPU (or MIG device), from kubelet's pod-resources API. */
import { z } from "zod";
import { ContainerName, DeviceId, NamespaceName, ObjectName } from "./fields.js";
import { compositeKey, uniqueBy } from "./listKeys.js";

/** 8 GPUs × 7 MIG devices, or time-slicing replicas, stay far below this. */
export const MAX_ALLOCATIONS = 1024;

export const GpuAllocation = z.object({
  /** The device id pod-resources reports (see DeviceId): a GPU or MIG UUID, or an index. */
  gpu: DeviceId,
  /** The extended resource it was requested as: `nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`. */
  resource: z.string().min(1).max(253),
  namespace: NamespaceName,
  pod: ObjectName,
  container: ContainerName,
});
export type GpuAllocation = z.infer<typeof GpuAllocation>;

export const GpuAllocations = z
  .array(GpuAllocation)
  .max(MAX_ALLOCATIONS)
  .superRefine(uniqueBy<GpuAllocation>("allocation (gpu, namespace, pod, container)", (a) => compositeKey(a.gpu, a.namespace, a.pod, a.container)));

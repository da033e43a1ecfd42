import { freeGpus, type NodeCapacity } from "./capacity.js";
import type { GpuRequest } from "./podRequest.js";

export type Fit = { fits: true } | { fits: false; reason: string };

const FITS: Fit = { fits: true };

/**
 * Whether the node can take the pod now. A pod that asks no GPU fits anywhere (placement is not
 * ours to judge then). Reasons are what `kubectl describe pod` shows under FailedScheduling.
 */
export function checkFit(node: NodeCapacity, request: GpuRequest, opts: { poolClosed?: string } = {}): Fit {
  if (request.gpus === 0) return FITS;
  if (node.allocatableGpus === 0) return { fits: false, reason: "gpu-steward: node has no allocatable GPUs" };
  if (request.products && (node.product === undefined || !request.products.includes(node.product))) {
    return { fits: false, reason: `gpu-steward: GPU type ${node.product ?? "unknown"}, pod needs ${request.products.join(" or ")}` };
  }
  if (opts.poolClosed !== undefined && node.pool === opts.poolClosed) {
    return { fits: false, reason: `gpu-steward: pool ${node.pool} is at its spend target` };
  }
  const free = freeGpus(node);
  if (free < request.gpus) return { fits: false, reason: `gpu-steward: ${free} of ${node.allocatableGpus} GPUs free, pod needs ${request.gpus}` };
  return FITS;
}

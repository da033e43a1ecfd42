import type { GpuSelector } from "./types.js";

/** Node label naming a node's GPU class, as the seed's webhook and its node pools used it. */
export const GPU_CLASS_LABEL = "gpu.nvidia.com/class";

/** Pins a pod to the chosen GPU class and lets it onto nodes tainted for GPU work. */
export function gpuSelectorFor(gpuType: string, nodeLabel: string = GPU_CLASS_LABEL): GpuSelector {
  return {
    nodeSelector: { [nodeLabel]: gpuType },
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
  };
}

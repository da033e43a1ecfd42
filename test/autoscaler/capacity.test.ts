import { describe, expect, it } from "vitest";
import { capacityFromNodes, nodeAcceleratorType } from "../../autoscaler/capacity.js";

const node = (labels: Record<string, string>, gpus: Record<string, string>, unschedulable = false) => ({ metadata: { labels }, spec: { unschedulable }, status: { allocatable: { cpu: "64", ...gpus } } });
const TYPES = ["A100", "H100", "L4", "MI300X"];

describe("capacity from nodes", () => {
  it.each<{ labels: Record<string, string>; want: string | undefined }>([
    { labels: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" }, want: "A100" },
    { labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" }, want: "H100" },
    { labels: { "nvidia.com/gpu.product": "NVIDIA-L40S" }, want: undefined },
    { labels: { "gpu-steward.io/accelerator-type": "MI300X", "nvidia.com/gpu.product": "NVIDIA-L4" }, want: "MI300X" },
  ])("$labels → $want (whole words only, the explicit label first)", ({ labels, want }) => {
    expect(nodeAcceleratorType(labels, TYPES)).toBe(want);
  });

  it("sums allocatable GPUs per type, skipping cordoned and GPU-less nodes", () => {
    const nodes = [
      node({ "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" }, { "nvidia.com/gpu": "8" }),
      node({ "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" }, { "nvidia.com/gpu": "8" }, true),
      node({ "nvidia.com/gpu.product": "NVIDIA-A100-PCIE-40GB" }, { "nvidia.com/gpu": "4" }),
      node({ "gpu-steward.io/accelerator-type": "MI300X" }, { "amd.com/gpu": "8" }),
      node({}, {}),
    ];
    expect(capacityFromNodes(nodes, TYPES)).toEqual({ count: [{ type: "A100", count: 12 }, { type: "MI300X", count: 8 }] });
  });
});

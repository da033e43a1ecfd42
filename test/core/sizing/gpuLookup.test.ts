import { describe, it, expect } from "vitest";
import { KNOWN_GPU_PRODUCTS, gpuMemoryGiB, gpuProductLabel, normaliseGpuModel, toAutoconfGpuModel } from "../../../core/sizing/index.js";

/** §4.10 datasheet capacities, read as GiB. */
const MEMORY: Array<[string, number]> = [
  ["NVIDIA-A100-SXM4-80GB", 80],
  ["NVIDIA-A100-80GB-PCIe", 80],
  ["NVIDIA-A100-SXM4-40GB", 40],
  ["NVIDIA-A100-PCIE-40GB", 40],
  ["NVIDIA-H100-80GB-HBM3", 80],
  ["NVIDIA-H100-SXM5-80GB", 80],
  ["NVIDIA-H100-PCIe", 80],
  ["NVIDIA-H100-NVL", 94],
  ["NVIDIA-H200", 141],
  ["NVIDIA-H200-NVL", 141],
  ["NVIDIA-L40S", 48],
  ["L40S", 48],
  ["NVIDIA-L4", 24],
  ["NVIDIA-A10G", 24],
  ["Tesla-V100-SXM2-32GB", 32],
  ["V100-SXM2-32GB", 32],
];

/** The same products as nvidia-smi, users and autoconf spell them. */
const SPELLINGS: Array<[string, number]> = [
  ["NVIDIA A100-SXM4-80GB", 80],
  ["nvidia-a100-sxm4-80gb", 80],
  ["A100-SXM4-80GB", 80],
  ["NVIDIA A100 80GB PCIe", 80],
  ["  NVIDIA H100 80GB HBM3 ", 80],
  ["nvidia_h200", 141],
  ["NVIDIA  L40S", 48],
  ["Tesla V100-SXM2-32GB", 32],
];

const UNKNOWN = ["", "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", "NVIDIA-A100-SXM4-80GB-SHARED", "NVIDIA-GeForce-RTX-4090", "AMD-MI300X", "NVIDIA", "L40SX"];

describe("gpuMemoryGiB", () => {
  it.each(MEMORY)("%s has %d GiB", (product, gib) => expect(gpuMemoryGiB(product)).toBe(gib));
  it.each(SPELLINGS)("%j is looked up despite spaces, case and prefix (%d GiB)", (product, gib) => expect(gpuMemoryGiB(product)).toBe(gib));
  it.each(UNKNOWN)("%j (unknown, MIG or shared) has no memory size", (product) => expect(gpuMemoryGiB(product)).toBeUndefined());
  it("knows every product of the table by its own label", () => {
    for (const label of KNOWN_GPU_PRODUCTS) expect(gpuProductLabel(label)).toBe(label);
  });
});

describe("normaliseGpuModel", () => {
  it.each([
    ["NVIDIA A100-SXM4-80GB", "NVIDIA-A100-SXM4-80GB"],
    ["NVIDIA A100 80GB PCIe", "NVIDIA-A100-80GB-PCIe"],
    ["nvidia h100 pcie", "NVIDIA-H100-PCIe"],
    ["L40S", "NVIDIA-L40S"],
    ["Some New GPU", "Some-New-GPU"],
  ])("%j → %j", (raw, label) => expect(normaliseGpuModel(raw)).toBe(label));
});

describe("toAutoconfGpuModel", () => {
  it.each([
    ["NVIDIA A100-SXM4-80GB", "NVIDIA-A100-SXM4-80GB"],
    ["NVIDIA-A100-80GB-PCIe", "NVIDIA-A100-80GB-PCIe"],
    ["NVIDIA-H100-PCIe", "NVIDIA-H100-PCIe"],
    ["NVIDIA-L40S", "L40S"],
    ["L40S", "L40S"],
  ])("%j is autoconf's %j", (raw, value) => expect(toAutoconfGpuModel(raw)).toBe(value));
  it.each(["NVIDIA-H100-80GB-HBM3", "NVIDIA-H200", "NVIDIA-L4"])("%j is outside autoconf's domain", (raw) => expect(toAutoconfGpuModel(raw)).toBeUndefined());
});

import { describe, it, expect } from "vitest";
import type { SizingResult, TuningInputs } from "../../../core/sizing/index.js";
import { AUTOCONF_MODEL_NAMES, KNOWN_GPU_PRODUCTS, gpuMemoryGiB, recommendGpus } from "../../../core/sizing/index.js";

/** A modest job: LoRA, 2048 tokens, global batch 16, searched up to 64 GPUs on 8-GPU nodes. */
function modest(modelName: string, gpuModel: string): SizingResult {
  const inputs: TuningInputs = {
    modelName,
    method: "lora",
    gpuModel,
    tokensPerSample: 2048,
    perDeviceBatch: 2,
    requestedGpus: 8,
    globalBatch: 16,
    gradientAccumulationSteps: 1,
  };
  return recommendGpus(inputs, { policy: "min-gpus", maxGpus: 64, gpusPerNode: 8 });
}

/** GPUs the answer needs; a no-fit counts as more than any count. */
function gpusNeeded(result: SizingResult): number {
  return result.ok ? result.recommendation.totalGpus : Number.POSITIVE_INFINITY;
}

/** Same-family chains, smallest first (§4.9). */
const FAMILIES: string[][] = [
  ["llama-7b", "llama-13b", "llama2-70b"],
  ["llama3-8b", "llama3-70b", "llama3.1-405b"],
  ["llama3.1-8b", "llama3.1-70b", "llama3.1-405b"],
  ["mistral-7b-v0.1", "mixtral-8x7b-instruct-v0.1", "mistral-123b-v2"],
  ["granite-3.1-2b", "granite-3.1-8b-instruct"],
  ["granite-3b-code-base-128k", "granite-8b-code-base", "granite-20b-v2", "granite-34b-code-base"],
  ["granite-4.0-350m", "granite-4.0-1b", "granite-4.0-micro"],
];

const GPUS_BY_MEMORY = [...KNOWN_GPU_PRODUCTS].sort((a, b) => gpuMemoryGiB(a)! - gpuMemoryGiB(b)!);

const PAIRS = AUTOCONF_MODEL_NAMES.flatMap((model) => KNOWN_GPU_PRODUCTS.map((gpu) => ({ model, gpu })));

describe("every model on every GPU, LoRA s=2048 global batch 16", () => {
  it.each(PAIRS)("$model on $gpu: a fitting answer or a no-fit, never NaN", ({ model, gpu }) => {
    const result = modest(model, gpu);
    if (result.ok) {
      const r = result.recommendation;
      expect(Number.isFinite(r.estimatedGiBPerGpu)).toBe(true);
      expect(r.estimatedGiBPerGpu!).toBeLessThanOrEqual(r.gpuMemoryGiB!);
      expect(r.perDeviceBatch * r.totalGpus).toBe(16);
      expect(r.workers * r.gpusPerWorker).toBe(r.totalGpus);
    } else {
      expect(result.code).toBe("no-fit");
      expect(result.reason).not.toContain("NaN");
    }
  });

  it.each(FAMILIES.flatMap((chain) => GPUS_BY_MEMORY.map((gpu) => ({ chain, gpu }))))(
    "a bigger model of $chain never needs fewer GPUs on $gpu",
    ({ chain, gpu }) => {
      const needed = chain.map((model) => gpusNeeded(modest(model, gpu)));
      for (let i = 1; i < needed.length; i++) expect(needed[i]).toBeGreaterThanOrEqual(needed[i - 1]!);
    },
  );

  it.each([...AUTOCONF_MODEL_NAMES])("%s never needs more GPUs on a bigger GPU", (model) => {
    const needed = GPUS_BY_MEMORY.map((gpu) => gpusNeeded(modest(model, gpu)));
    for (let i = 1; i < needed.length; i++) expect(needed[i]).toBeLessThanOrEqual(needed[i - 1]!);
  });

  it("small models fit one 80 GB GPU and the 405B model needs many", () => {
    expect(gpusNeeded(modest("granite-3.1-2b", "NVIDIA-A100-SXM4-80GB"))).toBe(1);
    expect(gpusNeeded(modest("llama3.1-405b", "NVIDIA-H100-80GB-HBM3"))).toBeGreaterThanOrEqual(16);
  });
});

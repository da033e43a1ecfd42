import { describe, it, expect } from "vitest";
import type { SizingLimits, TuningInputs } from "../../../core/sizing/index.js";
import { estimateMemoryPerGpu, modelArchitecture, recommendGpus } from "../../../core/sizing/index.js";

/** A job as autoconf's published examples state it (§4.8), on A100-SXM4-80GB. */
function job(over: Partial<TuningInputs>): TuningInputs {
  return {
    modelName: "llama-7b",
    method: "lora",
    gpuModel: "NVIDIA-A100-SXM4-80GB",
    tokensPerSample: 8192,
    perDeviceBatch: 16,
    requestedGpus: 1,
    globalBatch: 16,
    gradientAccumulationSteps: 4,
    ...over,
  };
}

const MIN_GPUS: SizingLimits = { policy: "min-gpus", maxGpus: 8, gpusPerNode: 8 };
const AVOID_OOM: SizingLimits = { policy: "avoid-oom", maxGpus: 64, gpusPerNode: 8 };

/** Per-GPU GB (1e9 B) of the §4.8 sanity table at N = 1, 2, 4, 8; null where the table has a dash. */
const SANITY_TABLE: Array<{ name: string; method: "full" | "lora"; s: number; globalBatch: number; gb: Array<number | null> }> = [
  { name: "llama-7b", method: "lora", s: 8192, globalBatch: 16, gb: [122, 63, 34, 19] },
  { name: "llama-13b", method: "full", s: 4096, globalBatch: 128, gb: [null, null, 163, 84] },
  { name: "llama3.1-8b", method: "lora", s: 8192, globalBatch: 16, gb: [263, 134, 69, 37] },
];

const SANITY_POINTS = SANITY_TABLE.flatMap((row) =>
  row.gb.flatMap((gb, i) => (gb === null ? [] : [{ ...row, n: 2 ** i, expectedGb: gb }])),
);

describe("§4.8 sanity table", () => {
  it.each(SANITY_POINTS)("$name $method s=$s B=$globalBatch on $n GPUs ≈ $expectedGb GB per GPU", ({ name, method, s, globalBatch, n, expectedGb }) => {
    const arch = modelArchitecture(name)!;
    const { totalBytes } = estimateMemoryPerGpu(arch, { method, tokensPerSample: s, perDeviceBatch: globalBatch / n }, n);
    expect(Math.abs(totalBytes / 1e9 - expectedGb) / expectedGb).toBeLessThan(0.1);
  });
});

describe("autoconf's published answers", () => {
  it("llama-7b LoRA s=8192 global batch 16 on A100-80GB needs 2 GPUs (min-gpus)", () => {
    const result = recommendGpus(job({}), MIN_GPUS);
    expect(result).toMatchObject({ ok: true, recommendation: { workers: 1, gpusPerWorker: 2, totalGpus: 2, perDeviceBatch: 8, gpuMemoryGiB: 76 } });
    if (result.ok) expect(result.reason).toMatch(/^llama-7b lora s=8192 global batch 16: 2 GPUs fit \(≈\d+\.\d GiB of 76\.0 GiB per GPU\)$/);
  });

  it("llama-7b LoRA s=8192 per-device 16 OOMs on the one requested GPU (avoid-oom never answers 1)", () => {
    const result = recommendGpus(job({ requestedGpus: 1, perDeviceBatch: 16 }), AVOID_OOM);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe("no-fit");
      expect(result.reason).toMatch(/smallest estimate ≈\d+\.\d GiB per GPU/);
    }
    const oneGpu = estimateMemoryPerGpu(modelArchitecture("llama-7b")!, { method: "lora", tokensPerSample: 8192, perDeviceBatch: 16 }, 1);
    expect(oneGpu.totalBytes).toBeGreaterThan(80 * 1024 ** 3);
  });

  it("llama-13b full s=4096 global batch 128 does not fit 8 A100-80GB: the 8-GPU estimate is above 80 GB", () => {
    const result = recommendGpus(job({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, globalBatch: 128, perDeviceBatch: 16, requestedGpus: 8 }), MIN_GPUS);
    expect(result).toMatchObject({ ok: false, code: "no-fit" });
    const eight = estimateMemoryPerGpu(modelArchitecture("llama-13b")!, { method: "full", tokensPerSample: 4096, perDeviceBatch: 16 }, 8);
    expect(eight.totalBytes).toBeGreaterThan(80e9);
  });

  it("llama-13b full s=4096 global batch 128 fits 16 GPUs on two 8-GPU workers when the search may go to 64", () => {
    const result = recommendGpus(job({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, globalBatch: 128, perDeviceBatch: 16, requestedGpus: 8 }), { ...MIN_GPUS, maxGpus: 64 });
    expect(result).toMatchObject({ ok: true, recommendation: { workers: 2, gpusPerWorker: 8, totalGpus: 16, perDeviceBatch: 8 } });
  });

  it("llama3.1-8b LoRA s=8192 global batch 16 needs 4 GPUs: 128k-vocabulary logits dominate", () => {
    const result = recommendGpus(job({ modelName: "llama3.1-8b" }), MIN_GPUS);
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus: 4, perDeviceBatch: 4 } });
    const { breakdown } = estimateMemoryPerGpu(modelArchitecture("llama3.1-8b")!, { method: "lora", tokensPerSample: 8192, perDeviceBatch: 4 }, 4);
    expect(breakdown.logits).toBeGreaterThan(breakdown.activations + breakdown.weights);
  });

  it("avoid-oom grows a per-device-16 llama-13b full job from the requested 4 GPUs to 16", () => {
    const result = recommendGpus(job({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, perDeviceBatch: 16, requestedGpus: 4, globalBatch: 64 }), AVOID_OOM);
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus: 16, perDeviceBatch: 16, workers: 2, gpusPerWorker: 8 } });
    if (result.ok) expect(result.reason).toContain("requested 4 GPUs would need");
  });
});

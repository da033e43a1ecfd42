import { describe, it, expect } from "vitest";
import type { SizingLimits, TuningInputs } from "../../../core/sizing/index.js";
import { recommendGpus } from "../../../core/sizing/index.js";

function job(over: Partial<TuningInputs> = {}): TuningInputs {
  return {
    modelName: "llama-7b",
    method: "lora",
    gpuModel: "NVIDIA-A100-SXM4-80GB",
    tokensPerSample: 8192,
    perDeviceBatch: 2,
    requestedGpus: 8,
    globalBatch: 16,
    gradientAccumulationSteps: 1,
    ...over,
  };
}

const MIN_GPUS: SizingLimits = { policy: "min-gpus", maxGpus: 64, gpusPerNode: 8 };
const AVOID_OOM: SizingLimits = { policy: "avoid-oom", maxGpus: 64, gpusPerNode: 8 };

describe("min-gpus", () => {
  it("may answer fewer GPUs than requested and rewrites the per-device batch", () => {
    expect(recommendGpus(job(), MIN_GPUS)).toMatchObject({ ok: true, recommendation: { totalGpus: 2, perDeviceBatch: 8 } });
  });

  it("skips counts that do not divide the global batch", () => {
    // 24 = 8·3: 16 and 32 are skipped, so a job needing more than 8 has no answer ≤ 64.
    const result = recommendGpus(job({ modelName: "llama3.1-405b", method: "full", tokensPerSample: 4096, globalBatch: 24, perDeviceBatch: 3 }), MIN_GPUS);
    expect(result).toMatchObject({ ok: false, code: "no-fit" });
  });

  it("keeps the per-device batch when the launcher cannot rewrite it, still going below the request", () => {
    const result = recommendGpus(job({ perDeviceBatch: 2, requestedGpus: 8, globalBatch: 16 }), { ...MIN_GPUS, perDeviceBatchRewritable: false });
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus: 1, perDeviceBatch: 2 } });
    if (result.ok) expect(result.reason).toContain("per-device batch kept");
  });

  it("stops at maxGpus", () => {
    expect(recommendGpus(job({ modelName: "llama3.1-8b" }), { ...MIN_GPUS, maxGpus: 2 })).toMatchObject({ ok: false, code: "no-fit" });
  });
});

describe("avoid-oom", () => {
  it("returns the requested count unchanged when it fits, even below a power of two", () => {
    const result = recommendGpus(job({ perDeviceBatch: 2, requestedGpus: 6, globalBatch: 12 }), AVOID_OOM);
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus: 6, workers: 1, gpusPerWorker: 6, perDeviceBatch: 2 } });
    if (result.ok) expect(result.reason).toBe(`llama-7b lora s=8192 per-device batch 2: 6 GPUs fit (≈${result.recommendation.estimatedGiBPerGpu!.toFixed(1)} GiB of 76.0 GiB per GPU)`);
  });

  it("grows to the next fitting power of two above the request", () => {
    const result = recommendGpus(job({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, perDeviceBatch: 16, requestedGpus: 3, globalBatch: 48 }), AVOID_OOM);
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus: 16, perDeviceBatch: 16 } });
  });
});

describe("worker split", () => {
  it.each([
    { totalGpus: 1, gpusPerNode: 8, workers: 1, gpusPerWorker: 1 },
    { totalGpus: 16, gpusPerNode: 8, workers: 2, gpusPerWorker: 8 },
    { totalGpus: 16, gpusPerNode: 6, workers: 4, gpusPerWorker: 4 },
    { totalGpus: 6, gpusPerNode: 4, workers: 2, gpusPerWorker: 3 },
    { totalGpus: 7, gpusPerNode: 4, workers: 7, gpusPerWorker: 1 },
  ])("$totalGpus GPUs on $gpusPerNode-GPU nodes: $workers × $gpusPerWorker", ({ totalGpus, gpusPerNode, workers, gpusPerWorker }) => {
    // A tiny job fits its requested count, so avoid-oom shows the split of exactly that count.
    const result = recommendGpus(
      job({ modelName: "granite-4.0-350m", tokensPerSample: 128, perDeviceBatch: 1, requestedGpus: totalGpus, globalBatch: totalGpus }),
      { policy: "avoid-oom", maxGpus: 64, gpusPerNode },
    );
    expect(result).toMatchObject({ ok: true, recommendation: { totalGpus, workers, gpusPerWorker } });
  });

  it("skips counts that need more workers than the launcher can express", () => {
    const llama13bFull = job({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, perDeviceBatch: 8, globalBatch: 128 });
    expect(recommendGpus(llama13bFull, MIN_GPUS)).toMatchObject({ ok: true, recommendation: { totalGpus: 16, workers: 2 } });
    const single = recommendGpus(llama13bFull, { ...MIN_GPUS, maxWorkers: 1 });
    expect(single).toMatchObject({ ok: false, code: "no-fit" });
    if (!single.ok) expect(single.reason).toMatch(/smallest estimate ≈\d+\.\d GiB per GPU at 8 GPUs/);
  });

  it("says so when no candidate satisfies the worker limit at all", () => {
    const result = recommendGpus(job({ requestedGpus: 16, perDeviceBatch: 1 }), { ...AVOID_OOM, maxGpus: 16, maxWorkers: 1 });
    expect(result).toMatchObject({ ok: false, code: "no-fit" });
    if (!result.ok) expect(result.reason).toContain("batch and worker limits");
  });
});

describe("failures", () => {
  it.each([
    { over: { modelName: "gpt2" }, code: "unknown-model" },
    { over: { modelName: "" }, code: "unknown-model" },
    { over: { gpuModel: "NVIDIA-A100-SXM4-40GB-MIG-3g.20gb" }, code: "unknown-gpu" },
    { over: { gpuModel: "" }, code: "unknown-gpu" },
    { over: { tokensPerSample: 0 }, code: "invalid-inputs" },
    { over: { globalBatch: -16 }, code: "invalid-inputs" },
    { over: { loraRank: 0 }, code: "invalid-inputs" },
    { over: { method: "pt" as never }, code: "invalid-inputs" },
  ])("$code for $over", ({ over, code }) => {
    expect(recommendGpus(job(over), MIN_GPUS)).toMatchObject({ ok: false, code });
  });

  it.each([
    { maxGpus: 0 },
    { gpusPerNode: 0 },
    { maxWorkers: 0 },
    { policy: "cheapest" as never },
  ])("invalid-inputs for limits %o", (over) => {
    expect(recommendGpus(job(), { ...MIN_GPUS, ...over })).toMatchObject({ ok: false, code: "invalid-inputs" });
  });

  it("maps an HF id or path given as the model name", () => {
    expect(recommendGpus(job({ modelName: "/data/models/meta-llama/Llama-2-7b-hf/" }), MIN_GPUS)).toMatchObject({ ok: true, recommendation: { totalGpus: 2 } });
  });
});

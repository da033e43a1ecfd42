import { describe, it, expect } from "vitest";
import fc from "fast-check";
import type { SizingLimits, TuningInputs } from "../../../core/sizing/index.js";
import {
  AUTOCONF_MODEL_NAMES,
  KNOWN_GPU_PRODUCTS,
  USABLE_MEMORY_FRACTION,
  estimateMemoryPerGpu,
  gpuMemoryGiB,
  modelArchitecture,
  recommendGpus,
} from "../../../core/sizing/index.js";

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

const inputsArb: fc.Arbitrary<TuningInputs> = fc
  .record({
    modelName: fc.constantFrom(...AUTOCONF_MODEL_NAMES),
    method: fc.constantFrom("full" as const, "lora" as const),
    gpuModel: fc.constantFrom(...KNOWN_GPU_PRODUCTS),
    tokensPerSample: fc.integer({ min: 1, max: 16384 }),
    perDeviceBatch: fc.integer({ min: 1, max: 32 }),
    requestedGpus: fc.integer({ min: 1, max: 64 }),
    gradientAccumulationSteps: fc.integer({ min: 1, max: 8 }),
    loraRank: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
    torchDtype: fc.option(fc.constantFrom("bfloat16" as const, "float16" as const, "float32" as const), { nil: undefined }),
    gradientCheckpointing: fc.option(fc.boolean(), { nil: undefined }),
    useFlashAttn: fc.option(fc.boolean(), { nil: undefined }),
  })
  .map((r) => ({ ...r, globalBatch: r.perDeviceBatch * r.requestedGpus }));

const limitsArb = (policy: SizingLimits["policy"]): fc.Arbitrary<SizingLimits> =>
  fc.record({
    policy: fc.constant(policy),
    maxGpus: fc.integer({ min: 1, max: 128 }),
    gpusPerNode: fc.integer({ min: 1, max: 16 }),
    perDeviceBatchRewritable: fc.option(fc.boolean(), { nil: undefined }),
    maxWorkers: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
  });

describe("recommendGpus properties", () => {
  it("min-gpus answers a power of two ≤ maxGpus, split evenly within the node and worker limits", () => {
    fc.assert(
      fc.property(inputsArb, limitsArb("min-gpus"), (inputs, limits) => {
        const result = recommendGpus(inputs, limits);
        if (!result.ok) {
          expect(result.code).toBe("no-fit");
          return;
        }
        const r = result.recommendation;
        expect(isPowerOfTwo(r.totalGpus)).toBe(true);
        expect(r.totalGpus).toBeLessThanOrEqual(limits.maxGpus);
        expect(r.workers * r.gpusPerWorker).toBeGreaterThanOrEqual(r.totalGpus);
        expect(r.gpusPerWorker).toBeLessThanOrEqual(limits.gpusPerNode);
        expect(r.workers).toBeLessThanOrEqual(limits.maxWorkers ?? Infinity);
        expect(r.estimatedGiBPerGpu!).toBeLessThanOrEqual(r.gpuMemoryGiB! + 0.05);
        if (limits.perDeviceBatchRewritable === false) expect(r.perDeviceBatch).toBe(inputs.perDeviceBatch);
        else expect(r.perDeviceBatch * r.totalGpus).toBe(inputs.globalBatch);
      }),
      { numRuns: 500 },
    );
  });

  it("min-gpus answers the smallest fitting candidate", () => {
    fc.assert(
      fc.property(inputsArb, limitsArb("min-gpus"), (inputs, limits) => {
        const plain = { ...limits, perDeviceBatchRewritable: true, maxWorkers: undefined };
        const result = recommendGpus(inputs, plain);
        const arch = modelArchitecture(inputs.modelName)!;
        const usable = USABLE_MEMORY_FRACTION * gpuMemoryGiB(inputs.gpuModel)! * 1024 ** 3;
        const chosen = result.ok ? result.recommendation.totalGpus : Infinity;
        for (let n = 1; n < chosen && n <= limits.maxGpus; n *= 2) {
          if (inputs.globalBatch % n !== 0) continue;
          const bytes = estimateMemoryPerGpu(arch, { ...inputs, perDeviceBatch: inputs.globalBatch / n }, n).totalBytes;
          expect(bytes).toBeGreaterThan(usable);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("avoid-oom keeps the per-device batch and never answers fewer GPUs than requested", () => {
    fc.assert(
      fc.property(inputsArb, limitsArb("avoid-oom"), (inputs, limits) => {
        const result = recommendGpus(inputs, limits);
        if (!result.ok) {
          expect(result.code).toBe("no-fit");
          return;
        }
        const r = result.recommendation;
        expect(r.perDeviceBatch).toBe(inputs.perDeviceBatch);
        expect(r.totalGpus).toBeGreaterThanOrEqual(inputs.requestedGpus);
        if (r.totalGpus !== inputs.requestedGpus) {
          expect(isPowerOfTwo(r.totalGpus)).toBe(true);
          expect(r.totalGpus).toBeLessThanOrEqual(limits.maxGpus);
        }
        expect(r.workers * r.gpusPerWorker).toBe(r.totalGpus);
        expect(r.gpusPerWorker).toBeLessThanOrEqual(limits.gpusPerNode);
      }),
      { numRuns: 500 },
    );
  });

  it("the per-GPU estimate does not grow with the GPU count for a fixed global batch", () => {
    fc.assert(
      fc.property(inputsArb, fc.integer({ min: 0, max: 7 }), (inputs, log2Batch) => {
        const arch = modelArchitecture(inputs.modelName)!;
        const globalBatch = 2 ** log2Batch * 3;
        let previous = Infinity;
        for (let n = 1; n <= 2 ** log2Batch; n *= 2) {
          const bytes = estimateMemoryPerGpu(arch, { ...inputs, perDeviceBatch: globalBatch / n }, n).totalBytes;
          expect(Number.isFinite(bytes)).toBe(true);
          expect(bytes).toBeLessThanOrEqual(previous);
          previous = bytes;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("rejects non-positive or fractional numbers as invalid inputs", () => {
    const field = fc.constantFrom("tokensPerSample", "perDeviceBatch", "requestedGpus", "globalBatch", "gradientAccumulationSteps");
    const bad = fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY);
    fc.assert(
      fc.property(inputsArb, field, bad, (inputs, key, value) => {
        const result = recommendGpus({ ...inputs, [key]: value }, { policy: "min-gpus", maxGpus: 8, gpusPerNode: 8 });
        expect(result).toMatchObject({ ok: false, code: "invalid-inputs" });
        if (!result.ok) expect(result.reason).toContain(key);
      }),
      { numRuns: 100 },
    );
  });
});

import type { SizingLimits, TuningInputs } from "../../../core/sizing/types.js";

/** llama-7b LoRA at 8192 tokens, 2 GPUs × per-device 8 = global 16, on A100-SXM4-80GB (spec §4.8's case). */
export function someInputs(overrides: Partial<TuningInputs> = {}): TuningInputs {
  return {
    modelName: "llama-7b",
    method: "lora",
    gpuModel: "NVIDIA-A100-SXM4-80GB",
    tokensPerSample: 8192,
    perDeviceBatch: 8,
    requestedGpus: 2,
    globalBatch: 16,
    gradientAccumulationSteps: 1,
    ...overrides,
  };
}

export function someLimits(overrides: Partial<SizingLimits> = {}): SizingLimits {
  return { policy: "min-gpus", maxGpus: 64, gpusPerNode: 8, ...overrides };
}

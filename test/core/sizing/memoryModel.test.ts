import { describe, it, expect } from "vitest";
import type { MemoryInputs } from "../../../core/sizing/index.js";
import { FIXED_OVERHEAD_BYTES, FRAGMENTATION_FACTOR, estimateMemoryPerGpu, loraTrainableParams, modelArchitecture, modelParameters } from "../../../core/sizing/index.js";

const llama7b = modelArchitecture("llama-7b")!;
const base: MemoryInputs = { method: "lora", tokensPerSample: 4096, perDeviceBatch: 4 };

describe("LoRA trainable parameters (§4.4)", () => {
  it.each([
    { model: "llama-7b", rank: 4, targets: ["q_proj", "k_proj"], params: 32 * 4 * 2 * (4096 + 4096) },
    { model: "llama3.1-8b", rank: 4, targets: ["q_proj", "v_proj"], params: 32 * 4 * ((4096 + 4096) + (4096 + 1024)) },
    { model: "llama3.1-8b", rank: 8, targets: ["gate_proj", "up_proj", "down_proj"], params: 32 * 8 * 3 * (4096 + 14336) },
    { model: "granite-20b-v2", rank: 4, targets: ["c_attn"], params: 52 * 4 * (6144 + 6144 + 2 * 128) },
    { model: "granite-20b-v2", rank: 4, targets: ["c_proj"], params: 52 * 4 * ((6144 + 6144) + (24576 + 6144)) },
    { model: "mixtral-8x7b-instruct-v0.1", rank: 4, targets: ["w1"], params: 32 * 4 * 8 * (4096 + 14336) },
    { model: "llama-7b", rank: 4, targets: ["q_proj", "q_proj", "Q_PROJ"], params: 32 * 4 * (4096 + 4096) },
    { model: "llama-7b", rank: 4, targets: ["lm_head_typo"], params: 0 },
  ])("$model r=$rank $targets: $params", ({ model, rank, targets, params }) => {
    expect(loraTrainableParams(modelArchitecture(model)!, rank, targets)).toBe(params);
  });

  it("all-linear trains every projection of the layer", () => {
    const all = loraTrainableParams(llama7b, 16, ["all-linear"]);
    const each = loraTrainableParams(llama7b, 16, ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]);
    expect(all).toBe(each);
  });

  it("uses the benchmark's targets and r=4 when the job names none", () => {
    expect(estimateMemoryPerGpu(llama7b, base, 1).trainableParams).toBe(loraTrainableParams(llama7b, 4, ["q_proj", "k_proj"]));
    expect(estimateMemoryPerGpu(llama7b, { ...base, loraTargetModules: [] }, 1).trainableParams).toBe(loraTrainableParams(llama7b, 4, ["q_proj", "k_proj"]));
  });
});

describe("estimateMemoryPerGpu", () => {
  it("adds κ fragmentation and the fixed reserve to the components", () => {
    const { totalBytes, breakdown } = estimateMemoryPerGpu(llama7b, base, 2);
    const states = breakdown.weights + breakdown.gradients + breakdown.optimizer + breakdown.activations + breakdown.logits;
    expect(breakdown.overhead).toBeCloseTo((FRAGMENTATION_FACTOR - 1) * states + FIXED_OVERHEAD_BYTES, 0);
    expect(totalBytes).toBeCloseTo(states + breakdown.overhead, 0);
  });

  it("holds the full bf16 weights on one GPU and a shard plus two gathered layers on N", () => {
    const p = modelParameters("llama-7b")!;
    expect(estimateMemoryPerGpu(llama7b, base, 1).breakdown.weights).toBe(2 * p.total);
    expect(estimateMemoryPerGpu(llama7b, base, 4).breakdown.weights).toBe((2 * p.total) / 4 + 2 * 2 * p.largestLayer);
  });

  it("counts 8 bytes per parameter for full bf16 fine-tuning, sharded", () => {
    const p = modelParameters("llama-7b")!;
    const { breakdown } = estimateMemoryPerGpu(llama7b, { ...base, method: "full" }, 8);
    expect(breakdown.gradients + breakdown.optimizer).toBeCloseTo((6 * p.total) / 8, 0);
  });

  it("computes logits as s·b·V·10 bytes in bf16", () => {
    expect(estimateMemoryPerGpu(llama7b, base, 1).breakdown.logits).toBe(4096 * 4 * 32000 * 10);
  });

  it.each<{ change: Partial<MemoryInputs>; what: string }>([
    { change: { method: "full" }, what: "full fine-tuning" },
    { change: { torchDtype: "float32" }, what: "fp32 weights" },
    { change: { useFlashAttn: false }, what: "no flash-attention" },
    { change: { gradientCheckpointing: false }, what: "no gradient checkpointing" },
    { change: { loraRank: 64, loraTargetModules: ["all-linear"] }, what: "a bigger adapter" },
    { change: { tokensPerSample: 8192 }, what: "longer sequences" },
    { change: { perDeviceBatch: 8 }, what: "a bigger micro-batch" },
  ])("costs more memory with $what", ({ change }) => {
    for (const n of [1, 8]) {
      expect(estimateMemoryPerGpu(llama7b, { ...base, ...change }, n).totalBytes).toBeGreaterThan(estimateMemoryPerGpu(llama7b, base, n).totalBytes);
    }
  });

  it("treats float16 like bfloat16", () => {
    expect(estimateMemoryPerGpu(llama7b, { ...base, torchDtype: "float16" }, 2).totalBytes).toBe(estimateMemoryPerGpu(llama7b, base, 2).totalBytes);
  });

  it("holds every Mixtral expert but stores activations of the two routed ones", () => {
    const mixtral = modelArchitecture("mixtral-8x7b-instruct-v0.1")!;
    const mistral = modelArchitecture("mistral-7b-v0.1")!;
    const moe = estimateMemoryPerGpu(mixtral, base, 1).breakdown;
    const dense = estimateMemoryPerGpu(mistral, base, 1).breakdown;
    expect(moe.weights / dense.weights).toBeCloseTo(46.7 / 7.24, 1);
    expect(moe.activations).toBeGreaterThan(dense.activations);
    expect(moe.activations).toBeLessThan(2 * dense.activations);
  });
});

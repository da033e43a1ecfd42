/**
 * Analytical peak memory of one GPU while fine-tuning with fms-hf-tuning under FSDP FULL_SHARD
 * (admission-autoconf.md §4.3–§4.7; reference script shared/tools/memory-model-reference.py).
 *
 *   M_gpu(N) = κ · (weights + gradients + optimizer + activations + logits) + C
 *
 * Defaults are the conditions of the ADO sfttrainer benchmark autoconf learned from (§1.5): bf16
 * weights, flash-attention and gradient checkpointing on, LoRA r = 4 on the model's benchmark targets.
 * All quantities are bytes (1 GB = 1e9 B).
 */
import type { TuningInputs } from "./types.js";
import type { ModelArchitecture, ParameterCount } from "./models.js";
import { parameterCount } from "./models.js";

/** κ: allocator fragmentation (caching allocator blocks, §4.7). */
export const FRAGMENTATION_FACTOR = 1.1;
/** C: CUDA context, NCCL buffers and allocator reserve, 3 GB as in the reference script (§4.7). */
export const FIXED_OVERHEAD_BYTES = 3e9;
/** LoRA rank of the ADO benchmark (`r=4, lora_alpha=16`, §1.5); PEFT's own default is 8. */
export const DEFAULT_LORA_RANK = 4;

/** Bytes per stored adapter parameter: PEFT keeps LoRA weights in fp32 (§4.3). */
const LORA_GRAD_BYTES_PER_PARAM = 4;
/** AdamW `exp_avg` + `exp_avg_sq` of fp32 adapters: 2 × 4 bytes. */
const LORA_ADAM_BYTES_PER_PARAM = 8;
/** Korthikanti et al. (arXiv:2205.05198) per-layer activation bytes per token per hidden unit, 16-bit, no TP/SP. */
const ACTIVATION_BYTES_PER_TOKEN_HIDDEN = 34;
/** Attention-score term `5·a·s²·b` (16-bit), stored only without flash-attention. */
const ATTENTION_SCORE_BYTES = 5;
/** Logits in the weight dtype, their fp32 upcast and the fp32 gradient: β + 4 + 4 bytes per element (§4.5). */
const LOGIT_FP32_BYTES = 4 + 4;
/** FSDP keeps the current and the prefetched (BACKWARD_PRE) unit gathered: 2 units (§4.6). */
const GATHERED_UNITS = 2;

/** The memory-relevant part of a job; absent settings mean the ADO benchmark default. */
export type MemoryInputs = Pick<
  TuningInputs,
  "method" | "tokensPerSample" | "perDeviceBatch" | "loraRank" | "loraTargetModules" | "torchDtype" | "gradientCheckpointing" | "useFlashAttn"
>;

export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  logits: number;
  /** `(κ − 1)·Σ + C`: fragmentation plus the fixed per-process reserve. */
  overhead: number;
}

export interface MemoryEstimate {
  totalBytes: number;
  breakdown: MemoryBreakdown;
  /** `P_t`: every parameter for full fine-tuning, the adapters for LoRA. */
  trainableParams: number;
}

function bytesPerParam(dtype: MemoryInputs["torchDtype"]): number {
  return dtype === "float32" ? 4 : 2;
}

/**
 * `Σ (in + out)` over the linears a LoRA target name selects in one layer; PEFT matches a target by the
 * module's last name, so GPTBigCode's `c_proj` hits the attention output and the MLP output. Mixtral's
 * experts are separate linears (× E); GraniteMoE's experts are fused 3-D parameters LoRA cannot wrap.
 * Unknown names select nothing.
 */
function loraWidthPerLayer(arch: ModelArchitecture, target: string): number {
  const h = arch.hiddenSize;
  const f = arch.ffnSize;
  const q = arch.attentionHeads * arch.headDim;
  const kv = arch.kvHeads * arch.headDim;
  const e = arch.experts;
  if (arch.moduleNaming === "gpt-bigcode") {
    switch (target) {
      case "c_attn": return h + q + 2 * kv;
      case "c_proj": return q + h + (f + h);
      case "c_fc": return h + f;
      case "all-linear": return h + q + 2 * kv + (q + h) + (f + h) + (h + f);
      default: return 0;
    }
  }
  switch (target) {
    case "q_proj": return h + q;
    case "k_proj": case "v_proj": return h + kv;
    case "o_proj": return q + h;
    default: break;
  }
  const attentionAll = 4 * h + 2 * q + 2 * kv;
  if (arch.moduleNaming === "mixtral") {
    switch (target) {
      case "w1": case "w2": case "w3": return e * (h + f);
      case "gate": return h + e;
      case "all-linear": return attentionAll + 3 * e * (h + f) + (h + e);
      default: return 0;
    }
  }
  if (arch.moduleNaming === "granite-moe") return target === "all-linear" ? attentionAll : 0;
  switch (target) {
    case "gate_proj": case "up_proj": case "down_proj": return h + f;
    case "all-linear": return attentionAll + 3 * (h + f);
    default: return 0;
  }
}

/** §4.4: `P_t = L · Σ_targets r·(in_t + out_t)`; duplicate targets count once. */
export function loraTrainableParams(arch: ModelArchitecture, rank: number, targets: readonly string[]): number {
  let width = 0;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!.trim().toLowerCase();
    if (targets.findIndex((t) => t.trim().toLowerCase() === target) !== i) continue;
    width += loraWidthPerLayer(arch, target);
  }
  return arch.layers * rank * width;
}

/**
 * §4.5 activations of one GPU (never sharded by FSDP), for per-device micro-batch `b`:
 *   A_layer = s·b·(34·h + (k − 1)·m·f) + [no flash] 5·a·s²·b      (16-bit; ×2 for fp32)
 *   A = [ckpt] 2·s·b·h·L + A_layer   |   [no ckpt] L·A_layer
 * The `(k − 1)·m·f` term is ours: a token routed to k experts stores k expert intermediates
 * (m = 6 bytes for SwiGLU's gate/up/act outputs, 4 for GELU) where the dense coefficient counts one.
 */
function activationBytes(arch: ModelArchitecture, s: number, b: number, dtypeScale: number, flash: boolean, checkpointing: boolean): number {
  const h = arch.hiddenSize;
  const expertExtra = (arch.expertsPerToken - 1) * (arch.gatedMlp ? 6 : 4) * arch.ffnSize;
  const scores = flash ? 0 : ATTENTION_SCORE_BYTES * arch.attentionHeads * s * s * b;
  const perLayer = (s * b * (ACTIVATION_BYTES_PER_TOKEN_HIDDEN * h + expertExtra) + scores) * dtypeScale;
  if (!checkpointing) return arch.layers * perLayer;
  const storedLayerInputs = 2 * s * b * h * arch.layers * dtypeScale;
  return storedLayerInputs + perLayer;
}

/**
 * Peak bytes on each of `nGpus` GPUs (§4.3, §4.6, §4.7). N = 1 runs without FSDP; N > 1 shards
 * weights (frozen ones too), and for full fine-tuning gradients and AdamW states, over N, plus two
 * gathered decoder layers. MoE: every expert's weights are held (sharded); per-token compute uses
 * the active experts. Hybrid Mamba-2 Granite 4.0 models go through the same dense formula on their
 * published totals and a proxy transformer shape (models.ts, `approximate`).
 */
export function estimateMemoryPerGpu(
  arch: ModelArchitecture,
  job: MemoryInputs,
  nGpus: number,
  params: ParameterCount = parameterCount(arch),
): MemoryEstimate {
  const weightBytes = bytesPerParam(job.torchDtype);
  const shards = Math.max(1, nGpus);
  const s = job.tokensPerSample;
  const b = job.perDeviceBatch;

  const gathered = shards > 1 ? GATHERED_UNITS * weightBytes * params.largestLayer : 0;
  const weights = (params.total * weightBytes) / shards + gathered;

  let trainableParams: number;
  let gradients: number;
  let optimizer: number;
  if (job.method === "full") {
    // Pure bf16 (fms default: torch_dtype bf16, mixed_precision no): grads and both AdamW moments in the weight dtype.
    trainableParams = params.total;
    gradients = (trainableParams * weightBytes) / shards;
    optimizer = (2 * trainableParams * weightBytes) / shards;
  } else {
    const targets = job.loraTargetModules !== undefined && job.loraTargetModules.length > 0 ? job.loraTargetModules : arch.defaultLoraTargets;
    trainableParams = loraTrainableParams(arch, job.loraRank ?? DEFAULT_LORA_RANK, targets);
    gradients = trainableParams * LORA_GRAD_BYTES_PER_PARAM;
    optimizer = trainableParams * LORA_ADAM_BYTES_PER_PARAM;
  }

  const dtypeScale = weightBytes / 2;
  const activations = activationBytes(arch, s, b, dtypeScale, job.useFlashAttn ?? true, job.gradientCheckpointing ?? true);
  const logits = s * b * arch.vocabSize * (weightBytes + LOGIT_FP32_BYTES);

  const states = weights + gradients + optimizer + activations + logits;
  const overhead = (FRAGMENTATION_FACTOR - 1) * states + FIXED_OVERHEAD_BYTES;
  return {
    totalBytes: states + overhead,
    breakdown: { weights, gradients, optimizer, activations, logits, overhead },
    trainableParams,
  };
}

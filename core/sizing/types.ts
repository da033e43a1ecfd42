/**
 * Shared vocabulary of GPU sizing: what the webhook reads from a fine-tuning job, and what a
 * recommender answers. Pure data; no I/O.
 */

/** Tuning method as autoconf knows it (`peft_method none` and an absent flag both mean full). */
export type TuningMethod = "full" | "lora";

/**
 * `min-gpus`: autoconf's min_gpu_recommender: the smallest power-of-two GPU count that fits with the
 * global batch kept (may be fewer GPUs than asked). `avoid-oom`: autoconf's avoid_oom_recommender:
 * keep the user's per-device batch, never fewer GPUs than asked, grow only when the asked count OOMs.
 */
export type SizingPolicy = "min-gpus" | "avoid-oom";

/** What a job asks for, as read from its launcher command, env and pod template. */
export interface TuningInputs {
  /** autoconf model name (`llama-7b`, `granite-3.1-8b-instruct`, …), after the HF-id/path/regex mapping. */
  modelName: string;
  method: TuningMethod;
  /** `nvidia.com/gpu.product` value, e.g. `NVIDIA-A100-SXM4-80GB`. */
  gpuModel: string;
  /** `--max_seq_length` (autoconf `tokens_per_sample`). */
  tokensPerSample: number;
  /** `--per_device_train_batch_size`. */
  perDeviceBatch: number;
  /** Total training processes (= GPUs) the user asked for across all workers. */
  requestedGpus: number;
  /** autoconf `batch_size`: perDeviceBatch × requestedGpus (gradient accumulation excluded). */
  globalBatch: number;
  gradientAccumulationSteps: number;
  /** Optional memory-relevant settings; absent means the fms-hf-tuning / ADO benchmark default. */
  loraRank?: number;
  loraTargetModules?: string[];
  torchDtype?: "bfloat16" | "float16" | "float32";
  gradientCheckpointing?: boolean;
  useFlashAttn?: boolean;
}

export interface SizingLimits {
  policy: SizingPolicy;
  /** Largest total GPU count the search may return (`--max-gpus`, default 64). */
  maxGpus: number;
  /** GPUs one worker pod may hold (`--gpus-per-node`, default 8). */
  gpusPerNode: number;
  /** When false the per-device batch cannot be rewritten in the job: the search must keep it. */
  perDeviceBatchRewritable?: boolean;
  /** Upper bound on workers the launcher can express (e.g. 1 for a single-node launcher). */
  maxWorkers?: number;
}

/** A sizing answer in the shape the patch needs. totalGpus = workers × gpusPerWorker. */
export interface Recommendation {
  workers: number;
  gpusPerWorker: number;
  totalGpus: number;
  /** Per-device batch the job should run with (changes under `min-gpus` to keep the global batch). */
  perDeviceBatch: number;
  /** Estimated peak memory per GPU and the GPU's usable memory, when the embedded model answered. */
  estimatedGiBPerGpu?: number;
  gpuMemoryGiB?: number;
}

export type SizingResult =
  | { ok: true; recommendation: Recommendation; reason: string }
  | { ok: false; code: SizingFailure; reason: string };

/** Closed set of reasons a recommender gives no answer. */
export type SizingFailure =
  | "unknown-model"
  | "unknown-gpu"
  | "no-fit"
  | "invalid-inputs"
  | "recommender-unavailable";

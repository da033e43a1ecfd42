/**
 * The embedded GPU-count recommender: autoconf's search (§1.2, §1.3, §4.7) with the analytical memory
 * model (memory.ts) in place of autoconf's OOM classifier.
 *
 * A count N fits iff `M_gpu(N) ≤ η · GPU memory` with η = 0.95: §4.7 gives 0.9–0.95; the upper end is
 * chosen because the estimate already carries κ = 1.10 fragmentation and a 3 GB reserve, and 0.95
 * reproduces autoconf's published answers (§4.8).
 */
import type { Recommendation, SizingLimits, SizingResult, TuningInputs } from "./types.js";
import type { MemoryInputs } from "./memory.js";
import { estimateMemoryPerGpu } from "./memory.js";
import { modelArchitecture, modelParameters } from "./models.js";
import { toAutoconfModelName } from "./modelNames.js";
import { gpuMemoryGiB } from "./gpus.js";

/** η: share of a GPU's memory the estimate may use. */
export const USABLE_MEMORY_FRACTION = 0.95;

const BYTES_PER_GIB = 1024 ** 3;

interface WorkerSplit {
  workers: number;
  gpusPerWorker: number;
}

/**
 * autoconf splits N GPUs as `workers = ceil(N / gpusPerNode)`, `gpus = ceil(N / workers)`. Where
 * that split is uneven (N = 16 on 6-GPU nodes: 3 × 6 = 18) the job would run on more GPUs than were
 * estimated, so the worker count is raised to the next divisor of N instead (4 × 4). For powers of
 * two on power-of-two nodes both rules agree.
 */
function splitWorkers(totalGpus: number, gpusPerNode: number): WorkerSplit {
  let workers = Math.ceil(totalGpus / gpusPerNode);
  while (totalGpus % workers !== 0) workers++;
  return { workers, gpusPerWorker: totalGpus / workers };
}

function isPositiveInteger(n: number | undefined): boolean {
  return n !== undefined && Number.isInteger(n) && n > 0;
}

/** Every bad field, by name; empty when the inputs can be searched. */
function invalidFields(inputs: TuningInputs, limits: SizingLimits): string[] {
  const bad: string[] = [];
  const integers: Array<[string, number | undefined]> = [
    ["tokensPerSample", inputs.tokensPerSample],
    ["perDeviceBatch", inputs.perDeviceBatch],
    ["requestedGpus", inputs.requestedGpus],
    ["globalBatch", inputs.globalBatch],
    ["gradientAccumulationSteps", inputs.gradientAccumulationSteps],
    ["maxGpus", limits.maxGpus],
    ["gpusPerNode", limits.gpusPerNode],
  ];
  for (const [field, value] of integers) if (!isPositiveInteger(value)) bad.push(`${field} must be a positive integer`);
  if (inputs.loraRank !== undefined && !isPositiveInteger(inputs.loraRank)) bad.push("loraRank must be a positive integer");
  if (limits.maxWorkers !== undefined && !isPositiveInteger(limits.maxWorkers)) bad.push("maxWorkers must be a positive integer");
  if (inputs.method !== "full" && inputs.method !== "lora") bad.push("method must be full or lora");
  if (limits.policy !== "min-gpus" && limits.policy !== "avoid-oom") bad.push("policy must be min-gpus or avoid-oom");
  return bad;
}

function gib(bytes: number): string {
  return (bytes / BYTES_PER_GIB).toFixed(1);
}

function gpus(n: number): string {
  return n === 1 ? "1 GPU" : `${n} GPUs`;
}

/** One evaluated candidate count. */
interface Trial {
  totalGpus: number;
  perDeviceBatch: number;
  split: WorkerSplit;
  bytes: number;
}

/**
 * Smallest fitting GPU count for a fine-tuning job.
 *
 * `min-gpus` (autoconf min_gpu_recommender): N ∈ {1, 2, 4, … ≤ maxGpus} with `globalBatch % N == 0`,
 * per-device batch `globalBatch / N`, first fit wins (may be fewer GPUs than asked). When
 * `perDeviceBatchRewritable` is false the per-device batch cannot change, so it is kept and N still
 * starts at 1: the job may shrink, and its global batch with it.
 * `avoid-oom` (autoconf avoid_oom_recommender): per-device batch kept; the requested count if it fits,
 * else the first fitting power of two strictly above it, up to maxGpus.
 * Counts whose split needs more than `maxWorkers` workers are skipped.
 */
export function recommendGpus(inputs: TuningInputs, limits: SizingLimits): SizingResult {
  const bad = invalidFields(inputs, limits);
  if (bad.length > 0) return { ok: false, code: "invalid-inputs", reason: bad.join("; ") };

  const modelName = modelArchitecture(inputs.modelName) !== undefined ? inputs.modelName.toLowerCase() : toAutoconfModelName(inputs.modelName);
  const arch = modelName === undefined ? undefined : modelArchitecture(modelName);
  const params = modelName === undefined ? undefined : modelParameters(modelName);
  if (arch === undefined || params === undefined) {
    return { ok: false, code: "unknown-model", reason: `model ${JSON.stringify(inputs.modelName)} is not in the sizing table` };
  }
  const memoryGiB = gpuMemoryGiB(inputs.gpuModel);
  if (memoryGiB === undefined) {
    return { ok: false, code: "unknown-gpu", reason: `GPU product ${JSON.stringify(inputs.gpuModel)} has no known memory size` };
  }
  const usableBytes = USABLE_MEMORY_FRACTION * memoryGiB * BYTES_PER_GIB;
  const keepPerDeviceBatch = limits.policy === "avoid-oom" || limits.perDeviceBatchRewritable === false;
  const maxWorkers = limits.maxWorkers ?? Number.POSITIVE_INFINITY;

  const job: MemoryInputs = {
    method: inputs.method,
    tokensPerSample: inputs.tokensPerSample,
    perDeviceBatch: inputs.perDeviceBatch,
    loraRank: inputs.loraRank,
    loraTargetModules: inputs.loraTargetModules,
    torchDtype: inputs.torchDtype,
    gradientCheckpointing: inputs.gradientCheckpointing,
    useFlashAttn: inputs.useFlashAttn,
  };
  const trial = (totalGpus: number): Trial | undefined => {
    const split = splitWorkers(totalGpus, limits.gpusPerNode);
    if (split.workers > maxWorkers) return undefined;
    if (!keepPerDeviceBatch && inputs.globalBatch % totalGpus !== 0) return undefined;
    job.perDeviceBatch = keepPerDeviceBatch ? inputs.perDeviceBatch : inputs.globalBatch / totalGpus;
    const bytes = estimateMemoryPerGpu(arch, job, totalGpus, params).totalBytes;
    return { totalGpus, perDeviceBatch: job.perDeviceBatch, split, bytes };
  };

  const subject = `${arch.name} ${inputs.method} s=${inputs.tokensPerSample} ${keepPerDeviceBatch ? `per-device batch ${inputs.perDeviceBatch}` : `global batch ${inputs.globalBatch}`}`;
  const ofUsable = (t: Trial): string => `≈${gib(t.bytes)} GiB of ${gib(usableBytes)} GiB per GPU`;
  let smallest: Trial | undefined;
  let requestedOom: Trial | undefined;

  const candidates = searchOrder(inputs.requestedGpus, limits);
  for (const n of candidates) {
    const t = trial(n);
    if (t === undefined) continue;
    if (t.bytes <= usableBytes) {
      const lead = requestedOom === undefined ? "" : `requested ${gpus(requestedOom.totalGpus)} would need ≈${gib(requestedOom.bytes)} GiB; `;
      const kept = limits.policy === "min-gpus" && keepPerDeviceBatch ? " (per-device batch kept: not rewritable)" : "";
      return { ok: true, recommendation: recommendation(t, usableBytes), reason: `${subject}: ${lead}${gpus(n)} fit${n === 1 ? "s" : ""} (${ofUsable(t)})${kept}` };
    }
    if (limits.policy === "avoid-oom" && n === inputs.requestedGpus) requestedOom = t;
    if (smallest === undefined || t.bytes < smallest.bytes) smallest = t;
  }

  const ceiling = Math.max(limits.maxGpus, limits.policy === "avoid-oom" ? inputs.requestedGpus : 0);
  if (smallest === undefined) {
    return { ok: false, code: "no-fit", reason: `${subject}: no GPU count up to ${ceiling} satisfies the batch and worker limits` };
  }
  return {
    ok: false,
    code: "no-fit",
    reason: `${subject}: nothing up to ${gpus(ceiling)} fits on ${inputs.gpuModel} (smallest estimate ≈${gib(smallest.bytes)} GiB per GPU at ${gpus(smallest.totalGpus)}, ${gib(usableBytes)} GiB usable)`,
  };
}

/** Candidate counts in the order the policy tries them. */
function searchOrder(requestedGpus: number, limits: SizingLimits): number[] {
  const counts: number[] = [];
  if (limits.policy === "avoid-oom") {
    counts.push(requestedGpus);
    for (let n = 1; n <= limits.maxGpus; n *= 2) if (n > requestedGpus) counts.push(n);
    return counts;
  }
  for (let n = 1; n <= limits.maxGpus; n *= 2) counts.push(n);
  return counts;
}

/** `gpuMemoryGiB` is the usable share η · memory, as types.ts defines it. */
function recommendation(t: Trial, usableBytes: number): Recommendation {
  return {
    workers: t.split.workers,
    gpusPerWorker: t.split.gpusPerWorker,
    totalGpus: t.totalGpus,
    perDeviceBatch: t.perDeviceBatch,
    estimatedGiBPerGpu: Math.round((t.bytes / BYTES_PER_GIB) * 10) / 10,
    gpuMemoryGiB: Math.round((usableBytes / BYTES_PER_GIB) * 10) / 10,
  };
}

/** ADO autoconf's answer (§1.2 outputs) mapped onto the sizing vocabulary the mutators use. */
import type { Recommendation, SizingLimits, SizingResult, TuningInputs } from "../../core/sizing/types.js";
import type { AdoAnswer, AdoExperiment } from "./adoProtocol.js";

/**
 * ADO's answer as a sizing result. min-gpus keeps the global batch: per-device = global ÷ total GPUs,
 * rounded up (and said so) when it does not divide. avoid-oom keeps the user's per-device batch.
 * An answer outside the limits (e.g. more workers than the launcher can express) is a no-fit.
 */
export function toSizingResult(
  answer: AdoAnswer,
  experiment: AdoExperiment,
  inputs: TuningInputs,
  limits: SizingLimits,
  modelVersion: string,
): SizingResult {
  if (!answer.canRecommend || answer.gpus === undefined || answer.workers === undefined) {
    return { ok: false, code: "no-fit", reason: "ADO autoconf: no recommendation (can_recommend=0)" };
  }
  const { workers, gpus } = answer;
  const totalGpus = workers * gpus;
  const source = `ADO autoconf ${experiment} (model ${modelVersion})`;
  const layout = `${workers} worker(s) × ${gpus} GPU(s) = ${totalGpus} GPUs`;
  const outside = limitViolation(workers, gpus, totalGpus, limits);
  if (outside !== undefined) return { ok: false, code: "no-fit", reason: `${source} answered ${layout}, but ${outside}` };

  let perDeviceBatch: number;
  let batchNote: string;
  if (experiment === "min_gpu_recommender") {
    perDeviceBatch = Math.max(1, Math.ceil(inputs.globalBatch / totalGpus));
    batchNote =
      perDeviceBatch * totalGpus === inputs.globalBatch
        ? `per-device batch ${perDeviceBatch} keeps global batch ${inputs.globalBatch}`
        : `global batch ${inputs.globalBatch} does not divide by ${totalGpus}: per-device batch rounded up to ${perDeviceBatch} (global batch ${perDeviceBatch * totalGpus})`;
  } else {
    perDeviceBatch = inputs.perDeviceBatch;
    batchNote = `per-device batch ${perDeviceBatch} kept`;
  }
  const recommendation: Recommendation = { workers, gpusPerWorker: gpus, totalGpus, perDeviceBatch };
  return { ok: true, recommendation, reason: `${source}: ${layout}; ${batchNote}` };
}

function limitViolation(workers: number, gpus: number, totalGpus: number, limits: SizingLimits): string | undefined {
  if (limits.maxWorkers !== undefined && workers > limits.maxWorkers) {
    return `the launcher runs on at most ${limits.maxWorkers} worker(s)`;
  }
  if (gpus > limits.gpusPerNode) return `a worker holds at most ${limits.gpusPerNode} GPUs`;
  if (totalGpus > limits.maxGpus) return `the limit is ${limits.maxGpus} GPUs`;
  return undefined;
}

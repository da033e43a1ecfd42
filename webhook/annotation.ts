import type { SizingPolicy, SizingResult, TuningInputs } from "../core/sizing/types.js";
import type { RecommenderAnswer } from "./recommenders/types.js";

/**
 * The recommendation annotation. `recommendation.{gpus,workers}` is the shape IBM's controller
 * writes (gpus = per worker), so tools reading it keep working; the rest explains the decision.
 */
export function recommendationAnnotation(inputs: TuningInputs, answer: RecommenderAnswer, policy: SizingPolicy, notes: readonly string[]): string {
  const result: SizingResult = answer.result;
  const body: Record<string, unknown> = result.ok
    ? { recommendation: { gpus: result.recommendation.gpusPerWorker, workers: result.recommendation.workers }, perDeviceBatch: result.recommendation.perDeviceBatch }
    : { error: "No recommendation", code: result.code };
  body.reason = result.reason;
  body.recommender = answer.recommender;
  if (answer.fallback) body.fallback = `${answer.fallback.from}: ${answer.fallback.reason}`;
  body.policy = policy;
  body.inputs = {
    model_name: inputs.modelName,
    method: inputs.method,
    gpu_model: inputs.gpuModel,
    tokens_per_sample: inputs.tokensPerSample,
    batch_size: inputs.globalBatch,
    per_device_batch: inputs.perDeviceBatch,
    requested_gpus: inputs.requestedGpus,
  };
  if (notes.length > 0) body.notes = notes;
  return JSON.stringify(body);
}

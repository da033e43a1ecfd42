/**
 * The learned choice of GPU type for a job that names none: among the GPU types on offer (the
 * cluster view's in cluster mode, `--gpu-types` standalone), those on which the memory model finds a
 * GPU count that fits, ranked by the shared learned model (expected runtime of the job type on that
 * type, with its exploration bonus). The same model instance the extender ranks nodes with.
 */
import { recommendGpus } from "../core/sizing/recommend.js";
import { normaliseGpuModel } from "../core/sizing/index.js";
import type { SizingLimits, TuningInputs } from "../core/sizing/types.js";
import type { ScoringModel } from "../core/scoring/index.js";
import { jobTypeFromModel } from "../core/learning/index.js";
import { JOB_TYPE_LABEL } from "../core/placement/index.js";

export const DECISION_ANNOTATION = "gpu-steward.io/decision";

export const NOTHING_OFFERED = "no GPU types on offer to choose from";

export interface GpuTypeChoice {
  /** The `nvidia.com/gpu.product` value chosen (a node label value, as offered). */
  product: string;
  /** What the `gpu-steward.io/decision` annotation records. */
  decision: Record<string, unknown>;
}

export type GpuTypeChoiceResult = { ok: true; choice: GpuTypeChoice } | { ok: false; reason: string };

export interface GpuTypeChooser {
  choose(jobType: string, inputs: Omit<TuningInputs, "gpuModel">, limits: SizingLimits): GpuTypeChoiceResult;
}

/** The learning key of a job: its label, else model and method (the learner derives the same). */
export function jobTypeOf(labels: Record<string, string> | undefined, inputs: Pick<TuningInputs, "modelName" | "method">): string {
  return labels?.[JOB_TYPE_LABEL] ?? jobTypeFromModel(inputs.modelName, inputs.method);
}

export function learnedGpuTypeChooser(opts: { model: ScoringModel; offered: () => readonly string[] }): GpuTypeChooser {
  return {
    choose(jobType, inputs, limits) {
      const offered = opts.offered();
      if (offered.length === 0) return { ok: false, reason: NOTHING_OFFERED };
      const feasible: string[] = [];
      const excluded: Record<string, string> = {};
      for (const product of offered) {
        const sized = recommendGpus({ ...inputs, gpuModel: normaliseGpuModel(product) }, limits);
        if (sized.ok) feasible.push(product);
        else excluded[product] = sized.code;
      }
      if (feasible.length === 0) return { ok: false, reason: `no offered GPU type fits the job (${Object.entries(excluded).map(([p, why]) => `${p}: ${why}`).join(", ")})` };
      const scored = opts.model.score({ jobType, candidateGpuTypes: feasible });
      return {
        ok: true,
        choice: {
          product: scored.chosenGpu,
          decision: {
            gpuType: scored.chosenGpu,
            jobType,
            mode: scored.mode,
            candidates: scored.candidates.map((c) => ({ gpuType: c.gpuType, priority: c.priorityScore, expectedRuntimeS: round(c.mu), uncertaintyS: round(c.sigma) })),
            ...(Object.keys(excluded).length > 0 && { excluded }),
          },
        },
      };
    },
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

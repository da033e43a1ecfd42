/**
 * Batch assignment for `POST /v1/assign`: a soft plan of jobs over GPU columns by Sinkhorn
 * (core/scoring `assignJobsToGpus`), from a cost matrix the client gives or from the learned model.
 */
import { assignJobsToGpus, ScoringModel, type GpuShare } from "../../core/scoring/index.js";
import type { AssignBody } from "./requests.js";

export interface JobAssignment {
  jobType?: string;
  shares: (GpuShare & { gpuType?: string })[];
}

export interface AssignResult {
  assignments: JobAssignment[];
  /** The matrix Sinkhorn was run on (the model's costs in model mode). */
  costs: number[][];
}

/**
 * Model costs for each job on each GPU type: the same `cost` that `score` ranks candidates by. The
 * model offers it only through `score`, which also counts a decision toward the exploration cap; so the
 * costs are read from a copy (snapshot → fromSnapshot, O(pairs)), leaving the live counters alone. A
 * copy's cost equals the live one: cost reads stats and interference, never the counters.
 */
export function modelCosts(model: ScoringModel, jobs: NonNullable<AssignBody["jobs"]>, gpuTypes: readonly string[]): number[][] {
  const copy = ScoringModel.fromSnapshot(model.snapshot(), model.config);
  return jobs.map((job) => {
    const request = typeof job === "string" ? { jobType: job, candidateGpuTypes: gpuTypes } : { ...job, candidateGpuTypes: gpuTypes };
    return copy.score(request).candidates.map((c) => c.cost);
  });
}

/** Throws ScoringInputError (fields `jobCosts[i]`, `gpuCapacities`, `epsilon`, …) for shapes core refuses. */
export function assign(model: ScoringModel, body: AssignBody): AssignResult {
  const gpuTypes = body.gpuTypes;
  const costs = body.jobs !== undefined && gpuTypes !== undefined ? modelCosts(model, body.jobs, gpuTypes) : (body.costs ?? []);
  const columns = gpuTypes?.length ?? costs[0]?.length ?? 0;
  const capacities = body.gpuCapacities ?? new Array<number>(columns).fill(1);
  const options = { ...(body.epsilon !== undefined && { epsilon: body.epsilon }), ...(body.maxIterations !== undefined && { maxIterations: body.maxIterations }) };
  const plan = assignJobsToGpus(costs, capacities, options);
  const assignments = plan.map((shares, i): JobAssignment => {
    const job = body.jobs?.[i];
    const jobType = job === undefined ? undefined : typeof job === "string" ? job : job.jobType;
    return {
      ...(jobType !== undefined && { jobType }),
      shares: shares.map((s) => ({ ...s, ...(gpuTypes?.[s.gpuIndex] !== undefined && { gpuType: gpuTypes[s.gpuIndex] }) })),
    };
  });
  return { assignments, costs };
}

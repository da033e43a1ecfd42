import { requireFinite, ScoringInputError } from "./errors.js";

/**
 * Entropy-regularised optimal transport (Sinkhorn–Knopp) for soft batch assignment of jobs to GPUs.
 * Not used by `ScoringModel.score`; kept for batched placement, as in the seed (where a flag only
 * reported it). Plan P = diag(u)·K·diag(v) with K = exp(−C/ε); the rows of P approach `supply` and
 * the columns `demand`. Small ε approaches the cheapest hard assignment; large ε spreads mass evenly.
 */

export interface SinkhornOptions {
  /** Regularisation ε > 0. */
  epsilon?: number;
  maxIterations?: number;
}

export const DEFAULT_SINKHORN_EPSILON = 0.1;
export const DEFAULT_SINKHORN_MAX_ITERATIONS = 100;

/**
 * Added to every scaling denominator, as in the seed, so a column or row whose kernel underflows to 0
 * gives a huge factor instead of a division by zero. Kept verbatim: it is also what makes very small ε
 * degenerate (for [[1,5],[5,1]] at ε = 0.01 the kernel is ~1e-44, the guard dominates and the plan
 * collapses to ~1e-24 instead of the identity); the fixture vectors depend on it.
 */
export const SINKHORN_DENOMINATOR_GUARD = 1e-10;

/** Stop when every u changed by at most 1e-8 + 1e-6·|u_prev| (numpy's allclose defaults). */
const CONVERGENCE_RTOL = 1e-6;
const CONVERGENCE_ATOL = 1e-8;

/** Below this a job's share of a GPU is left out of an assignment. */
export const MIN_ASSIGNMENT_SHARE = 1e-6;

export interface TransportPlan {
  /** plan[job][gpu] ≥ 0. */
  plan: number[][];
  /** Scaling rounds run (the round that met the tolerance included). */
  iterations: number;
  converged: boolean;
}

export interface GpuShare {
  gpuIndex: number;
  share: number;
}

export function solveSinkhorn(
  costs: readonly (readonly number[])[],
  supply: readonly number[],
  demand: readonly number[],
  options: SinkhornOptions = {},
): TransportPlan {
  const { epsilon, maxIterations } = resolveOptions(options);
  const n = costs.length;
  const m = demand.length;
  if (n === 0) throw new ScoringInputError("costs", "expected at least one row");
  if (m === 0) throw new ScoringInputError("demand", "expected at least one entry");
  if (supply.length !== n) throw new ScoringInputError("supply", `expected ${n} entries, one per cost row`);
  supply.forEach((s, i) => requireFinite(s, `supply[${i}]`, 0));
  demand.forEach((d, j) => requireFinite(d, `demand[${j}]`, 0));
  const kernel = costs.map((row, i) => {
    if (!Array.isArray(row) || row.length !== m) throw new ScoringInputError(`costs[${i}]`, `expected ${m} entries, one per demand`);
    return row.map((c, j) => Math.exp(-requireFinite(c, `costs[${i}][${j}]`) / epsilon));
  });

  let u = new Array<number>(n).fill(1 / n);
  let v = new Array<number>(m).fill(1 / m);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    const uPrev = u;
    v = demand.map((d, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += kernel[i]![j]! * uPrev[i]!;
      return d / (s + SINKHORN_DENOMINATOR_GUARD);
    });
    u = supply.map((s, i) => {
      let t = 0;
      for (let j = 0; j < m; j++) t += kernel[i]![j]! * v[j]!;
      return s / (t + SINKHORN_DENOMINATOR_GUARD);
    });
    if (u.every((x, i) => Math.abs(x - uPrev[i]!) <= CONVERGENCE_ATOL + CONVERGENCE_RTOL * Math.abs(uPrev[i]!))) {
      converged = true;
      break;
    }
  }
  const plan = kernel.map((row, i) => row.map((k, j) => u[i]! * k * v[j]!));
  return { plan, iterations, converged };
}

/**
 * Soft assignment of jobs (one unit each) to GPUs in proportion to their capacities: demand is
 * capacity ÷ total capacity × number of jobs, so supply and demand balance. Returns, per job, the
 * GPUs whose share exceeds MIN_ASSIGNMENT_SHARE. No jobs or no GPUs: an empty list, as in the seed.
 */
export function assignJobsToGpus(
  jobCosts: readonly (readonly number[])[],
  gpuCapacities: readonly number[],
  options: SinkhornOptions = {},
): GpuShare[][] {
  if (jobCosts.length === 0 || gpuCapacities.length === 0) return [];
  let total = 0;
  gpuCapacities.forEach((c, j) => (total += requireFinite(c, `gpuCapacities[${j}]`, 0)));
  if (!(total > 0)) throw new ScoringInputError("gpuCapacities", "expected a positive total capacity");
  jobCosts.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== gpuCapacities.length) {
      throw new ScoringInputError(`jobCosts[${i}]`, `expected ${gpuCapacities.length} entries, one per GPU`);
    }
  });
  const jobs = jobCosts.length;
  const demand = gpuCapacities.map((c) => (c / total) * jobs);
  const { plan } = solveSinkhorn(jobCosts, new Array<number>(jobs).fill(1), demand, options);
  return plan.map((row) =>
    row.flatMap((share, gpuIndex) => (share > MIN_ASSIGNMENT_SHARE ? [{ gpuIndex, share }] : [])),
  );
}

function resolveOptions(o: SinkhornOptions): Required<SinkhornOptions> {
  const epsilon = o.epsilon ?? DEFAULT_SINKHORN_EPSILON;
  const maxIterations = o.maxIterations ?? DEFAULT_SINKHORN_MAX_ITERATIONS;
  if (!(typeof epsilon === "number" && Number.isFinite(epsilon) && epsilon > 0)) {
    throw new ScoringInputError("epsilon", "expected a finite number > 0");
  }
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new ScoringInputError("maxIterations", "expected an integer ≥ 1");
  }
  return { epsilon, maxIterations };
}

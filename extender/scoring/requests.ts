/**
 * Request bodies of the scoring API (seed spec §C.7: the README shape, plus the aliases of its other
 * shapes and our camelCase). Each parser returns the canonical request, or the problem naming the field
 * as the client spelt it; `field()` maps a core ScoringInputError field the same way.
 */
import { z } from "zod";
import { MAX_RUNTIME_S } from "../../core/scoring/index.js";
import { canonicalize, describeIssues, Spellings, type AliasTable, type InputProblem } from "./fieldNames.js";

/** Kubernetes object names and label values fit in 253 characters; a job or GPU type is one of those. */
const Name = z.string().min(1, "expected a non-empty string").max(253, "expected at most 253 characters");
/**
 * Bounds per request on top of the 1 MiB body limit: scoring is linear in candidates and co-located
 * jobs, so these keep one request well under a millisecond of model time.
 */
const MAX_CANDIDATES = 256;
const MAX_COLOCATED = 1024;
const Colocated = z.array(Name).max(MAX_COLOCATED, `expected at most ${MAX_COLOCATED} job types`);

const JOB_TYPE = ["job_type", "jobType"];
const COLOCATED = ["colocated_job_types", "colocatedJobTypes"];

const SCORE_FIELDS: AliasTable = { jobType: JOB_TYPE, candidateGpuTypes: ["candidate_gpu_types", "candidateGpuTypes"], colocatedJobTypes: COLOCATED };
const ScoreBody = z.object({
  jobType: Name,
  candidateGpuTypes: z.array(Name).min(1, "must hold at least one GPU type").max(MAX_CANDIDATES, `expected at most ${MAX_CANDIDATES} GPU types`),
  colocatedJobTypes: Colocated.default([]),
  // `features` (seed: gpu_mem_gb, batch_size, …) is accepted and ignored: the seed's model never read it.
});
export type ScoreBody = z.infer<typeof ScoreBody>;

const OBSERVE_FIELDS: AliasTable = {
  jobType: JOB_TYPE,
  gpuType: ["gpu_type", "gpuType"],
  // README / app shape, library schema, observer agent, ours.
  runtimeS: ["measured_runtime_s", "actual_runtime", "runtime_seconds", "runtimeS"],
  colocatedJobTypes: COLOCATED,
};
const ObserveBody = z.object({
  jobType: Name,
  gpuType: Name,
  runtimeS: z.number().min(0, "expected a number ≥ 0").max(MAX_RUNTIME_S, `expected a number ≤ ${MAX_RUNTIME_S}`),
  colocatedJobTypes: Colocated.default([]),
  /** Library schema; false means the run failed. */
  success: z.boolean().optional(),
  /** Observer agent's run status. */
  status: z.string().max(64).optional(),
  // job_id, features, wait_seconds: accepted and ignored.
});
export type ObserveBody = z.infer<typeof ObserveBody>;

/**
 * A failed or evicted run says nothing about how long the job takes, so it is not learned (issue 4).
 * Statuses are matched case-insensitively; any other status counts as a finished run.
 */
const FAILED_RUN_STATUSES = new Set(["failed", "failure", "error", "evicted", "oomkilled", "killed", "cancelled", "canceled"]);

export function failedRun(o: ObserveBody): boolean {
  return o.success === false || (o.status !== undefined && FAILED_RUN_STATUSES.has(o.status.toLowerCase()));
}

/**
 * Sinkhorn runs maxIterations rounds over a jobs × GPUs matrix; 50,000 cells × 1,000 rounds is about
 * 10^8 multiply-adds, a fraction of a second, the most one request may hold the event loop.
 */
const MAX_ASSIGN_CELLS = 50_000;
const MAX_ASSIGN_ITERATIONS = 1_000;

const ASSIGN_FIELDS: AliasTable = {
  jobs: ["jobs"],
  gpuTypes: ["gpu_types", "gpuTypes"],
  costs: ["costs", "job_costs", "jobCosts"],
  gpuCapacities: ["gpu_capacities", "gpuCapacities"],
  epsilon: ["epsilon"],
  maxIterations: ["max_iterations", "maxIterations"],
};
const ASSIGN_JOB_FIELDS: AliasTable = { jobType: JOB_TYPE, colocatedJobTypes: COLOCATED };
const AssignJob = z.union([Name, z.object({ jobType: Name, colocatedJobTypes: Colocated.default([]) })], {
  error: "expected a job type or { job_type, colocated_job_types }",
});
const AssignBody = z
  .object({
    /** Model mode: costs come from the learned model for each job on each GPU type. */
    jobs: z.array(AssignJob).min(1, "must hold at least one job").optional(),
    gpuTypes: z.array(Name).min(1, "must hold at least one GPU type").optional(),
    /** Matrix mode: costs given directly, one row per job, one column per GPU (the seed's signature). */
    costs: z.array(z.array(z.number())).min(1, "must hold at least one row").optional(),
    /** Capacity per GPU column; every column 1 when left out. */
    gpuCapacities: z.array(z.number().min(0, "expected a number ≥ 0")).optional(),
    epsilon: z.number().gt(0, "expected a number > 0").optional(),
    maxIterations: z.int().min(1, "expected an integer ≥ 1").max(MAX_ASSIGN_ITERATIONS, `expected an integer ≤ ${MAX_ASSIGN_ITERATIONS}`).optional(),
  })
  .superRefine((b, ctx) => {
    const model = b.jobs !== undefined || b.gpuTypes !== undefined;
    if (model && b.costs !== undefined) ctx.addIssue({ code: "custom", path: ["costs"], message: "give either costs or jobs with gpu_types, not both" });
    else if (!model && b.costs === undefined) ctx.addIssue({ code: "custom", path: ["costs"], message: "required (or jobs with gpu_types)" });
    else if (model && b.jobs === undefined) ctx.addIssue({ code: "custom", path: ["jobs"], message: "required with gpu_types" });
    else if (model && b.gpuTypes === undefined) ctx.addIssue({ code: "custom", path: ["gpuTypes"], message: "required with jobs" });
    const rows = b.jobs?.length ?? b.costs?.length ?? 0;
    const columns = b.gpuTypes?.length ?? b.costs?.[0]?.length ?? 0;
    if (rows * columns > MAX_ASSIGN_CELLS) {
      ctx.addIssue({ code: "custom", path: [b.costs !== undefined ? "costs" : "jobs"], message: `${rows} jobs × ${columns} GPUs exceeds ${MAX_ASSIGN_CELLS} cells` });
    }
    if (b.gpuCapacities !== undefined && b.gpuTypes !== undefined && b.gpuCapacities.length !== b.gpuTypes.length) {
      ctx.addIssue({ code: "custom", path: ["gpuCapacities"], message: `expected ${b.gpuTypes.length} entries, one per GPU type` });
    }
  });
export type AssignBody = z.infer<typeof AssignBody>;
export type AssignJob = z.infer<typeof AssignJob>;

export type Parsed<T> = { ok: true; value: T; field: (coreField: string) => string } | ({ ok: false } & InputProblem);

const tablesOf = (entries: [string, AliasTable][]): ReadonlyMap<string, AliasTable> => new Map(entries);
const SCORE_TABLES = tablesOf([["", SCORE_FIELDS]]);
const OBSERVE_TABLES = tablesOf([["", OBSERVE_FIELDS]]);
const ASSIGN_TABLES = tablesOf([["", ASSIGN_FIELDS], ["jobs.*", ASSIGN_JOB_FIELDS]]);
/** Core's names for the assign inputs (`assignJobsToGpus(jobCosts, gpuCapacities)`) → our fields. */
const ASSIGN_CORE_RENAMES = { jobCosts: "costs" };

function parseWith<S extends z.ZodType>(schema: S, tables: ReadonlyMap<string, AliasTable>, body: unknown, renames?: Record<string, string>): Parsed<z.infer<S>> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, field: "body", message: "body: expected a JSON object" };
  }
  const spellings = new Spellings();
  const canonical = canonicalize(body, tables, spellings);
  if ("problem" in canonical) return { ok: false, ...canonical.problem };
  const parsed = schema.safeParse(canonical.value);
  if (!parsed.success) return { ok: false, ...describeIssues(parsed.error.issues, spellings, tables) };
  return { ok: true, value: parsed.data, field: (f) => spellings.displayDotted(f, tables, renames) };
}

export const parseScoreBody = (body: unknown): Parsed<ScoreBody> => parseWith(ScoreBody, SCORE_TABLES, body);
export const parseObserveBody = (body: unknown): Parsed<ObserveBody> => parseWith(ObserveBody, OBSERVE_TABLES, body);
export const parseAssignBody = (body: unknown): Parsed<AssignBody> => parseWith(AssignBody, ASSIGN_TABLES, body, ASSIGN_CORE_RENAMES);

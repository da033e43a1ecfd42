/**
 * Wire format of IBM ADO's autoconf custom experiments (spec admission-autoconf.md §1.2, §1.3, §1.6;
 * fms-autoconf-k8s-controller@77d47371:internal/controller/common.go). Pure: builds request bodies and
 * parses answers; errors name the offending property or JSON path.
 */
import { z } from "zod";
import type { SizingLimits, SizingPolicy, TuningInputs } from "../../core/sizing/types.js";

export type AdoExperiment = "min_gpu_recommender" | "avoid_oom_recommender";

/** Classifier the Go controller asks for by default (`--default-autoconf-model-version`, §2.1). */
export const ADO_DEFAULT_MODEL_VERSION = "3.1.0";

/** `model_name` domain of the autoconf classifier (§1.2); anything else gets `can_recommend=0` from ADO. */
export const ADO_MODEL_NAMES: ReadonlySet<string> = new Set([
  "allam-1-13b",
  "granite-13b-v2",
  "granite-20b-v2",
  "granite-3-8b",
  "granite-3.1-2b",
  "granite-3.1-3b-a800m-instruct",
  "granite-3.1-8b-instruct",
  "granite-34b-code-base",
  "granite-3b-code-base-128k",
  "granite-4.0-1b",
  "granite-4.0-350m",
  "granite-4.0-h-1b",
  "granite-4.0-h-micro",
  "granite-4.0-h-small",
  "granite-4.0-h-tiny",
  "granite-4.0-micro",
  "granite-7b-base",
  "granite-8b-code-base",
  "granite-8b-japanese",
  "llama-13b",
  "llama-7b",
  "llama2-70b",
  "llama3-70b",
  "llama3-8b",
  "llama3.1-405b",
  "llama3.1-70b",
  "llama3.1-8b",
  "mistral-123b-v2",
  "mistral-7b-v0.1",
  "mixtral-8x7b-instruct-v0.1",
]);

/** `gpu_model` domain (§1.2): the `nvidia.com/gpu.product` spelling, except L40S which autoconf names bare. */
export const ADO_GPU_MODELS: ReadonlySet<string> = new Set([
  "L40S",
  "NVIDIA-A100-80GB-PCIe",
  "NVIDIA-A100-SXM4-80GB",
  "NVIDIA-H100-PCIe",
]);

/**
 * The autoconf spelling of a GPU product, or undefined when autoconf does not know it. GPU feature
 * discovery labels L40S nodes `NVIDIA-L40S`; autoconf's config_mapper also turns spaces into hyphens.
 */
export function toAdoGpuModel(gpuProduct: string): string | undefined {
  const hyphenated = gpuProduct.trim().replace(/\s+/g, "-");
  const name = hyphenated === "NVIDIA-L40S" ? "L40S" : hyphenated;
  return ADO_GPU_MODELS.has(name) ? name : undefined;
}

/**
 * The experiment answering a policy. A per-device batch the job cannot rewrite forces
 * avoid_oom_recommender, the only experiment that keeps it (min_gpu_recommender keeps the global batch).
 */
export function adoExperimentFor(limits: Pick<SizingLimits, "policy" | "perDeviceBatchRewritable">): AdoExperiment {
  if (limits.policy === "avoid-oom" || limits.perDeviceBatchRewritable === false) return "avoid_oom_recommender";
  return "min_gpu_recommender";
}

export function adoPolicyOf(experiment: AdoExperiment): SizingPolicy {
  return experiment === "min_gpu_recommender" ? "min-gpus" : "avoid-oom";
}

/** Property identifier → value, in the order they go on the wire. */
export type AdoPropertyValues = Readonly<Record<string, string | number>>;

const STRING_PROPERTIES: ReadonlySet<string> = new Set(["model_name", "method", "gpu_model", "model_version"]);

const EXPERIMENT_PROPERTIES: Record<AdoExperiment, { required: readonly string[]; optional: readonly string[] }> = {
  // §1.2
  min_gpu_recommender: {
    required: ["model_name", "method", "gpu_model", "tokens_per_sample", "batch_size", "model_version"],
    optional: ["gpus_per_worker", "max_gpus"],
  },
  // §1.3
  avoid_oom_recommender: {
    required: ["model_name", "method", "gpu_model", "tokens_per_sample", "per_device_train_batch_size", "number_gpus"],
    optional: ["gpus_per_worker", "max_gpus", "model_version"],
  },
};

/**
 * The experiment's inputs for a job. `gpu_model` is expected in autoconf spelling already
 * (see `toAdoGpuModel`); `batch_size` is the global batch (gradient accumulation excluded, §1.2).
 */
export function adoPropertiesFor(
  experiment: AdoExperiment,
  inputs: TuningInputs,
  limits: SizingLimits,
  modelVersion: string,
  gpuModel: string = inputs.gpuModel,
): AdoPropertyValues {
  if (experiment === "min_gpu_recommender") {
    return {
      model_name: inputs.modelName,
      method: inputs.method,
      gpu_model: gpuModel,
      tokens_per_sample: inputs.tokensPerSample,
      batch_size: inputs.globalBatch,
      model_version: modelVersion,
      gpus_per_worker: limits.gpusPerNode,
      max_gpus: limits.maxGpus,
    };
  }
  return {
    model_name: inputs.modelName,
    method: inputs.method,
    gpu_model: gpuModel,
    tokens_per_sample: inputs.tokensPerSample,
    per_device_train_batch_size: inputs.perDeviceBatch,
    number_gpus: inputs.requestedGpus,
    gpus_per_worker: limits.gpusPerNode,
    max_gpus: limits.maxGpus,
    model_version: modelVersion,
  };
}

export type AdoValueType = "STRING_VALUE_TYPE" | "NUMERIC_VALUE_TYPE";

export interface AdoConstitutivePropertyValue {
  valueType: AdoValueType;
  value: string | number;
  property: { identifier: string };
}

export interface AdoEntity {
  constitutive_property_values: AdoConstitutivePropertyValue[];
}

/** A request body the experiment would reject; `property` names the offending input. */
export class AdoProtocolError extends Error {
  constructor(
    message: string,
    readonly property: string,
  ) {
    super(message);
    this.name = "AdoProtocolError";
  }
}

/**
 * The POST body: a JSON array holding one entity whose constitutive property values are the
 * experiment's inputs (§1.6). Strings are STRING_VALUE_TYPE, numbers NUMERIC_VALUE_TYPE (sent as JSON
 * numbers). Throws AdoProtocolError for a missing, unknown or ill-typed property: every numeric input
 * of both experiments is an integer ≥ 1 and ADO would only answer `can_recommend=0` to anything else.
 */
export function buildAdoRequestBody(experiment: AdoExperiment, properties: AdoPropertyValues): AdoEntity[] {
  const spec = EXPERIMENT_PROPERTIES[experiment];
  for (const identifier of spec.required) {
    if (!(identifier in properties)) {
      throw new AdoProtocolError(`${experiment}: required property ${identifier} is missing`, identifier);
    }
  }
  const values: AdoConstitutivePropertyValue[] = [];
  for (const [identifier, value] of Object.entries(properties)) {
    if (!spec.required.includes(identifier) && !spec.optional.includes(identifier)) {
      throw new AdoProtocolError(`${experiment}: unknown property ${identifier}`, identifier);
    }
    if (STRING_PROPERTIES.has(identifier)) {
      if (typeof value !== "string" || value.trim() === "") {
        throw new AdoProtocolError(`${identifier}: expected a non-empty string, got ${JSON.stringify(value)}`, identifier);
      }
      values.push({ valueType: "STRING_VALUE_TYPE", value, property: { identifier } });
    } else {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
        throw new AdoProtocolError(`${identifier}: expected an integer ≥ 1, got ${String(value)}`, identifier);
      }
      values.push({ valueType: "NUMERIC_VALUE_TYPE", value, property: { identifier } });
    }
  }
  return [{ constitutive_property_values: values }];
}

export type AdoParsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** `$`, `$[0]`, `$.entities[0].measurement_results` … */
export function formatJsonPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "$";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `.${String(key)}`;
  return out;
}

function describe(json: unknown): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return `an array of ${json.length}`;
  return typeof json === "string" ? `string ${JSON.stringify(json.slice(0, 80))}` : typeof json;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${formatJsonPath(issue.path)}: ${issue.message}` : "$: invalid";
}

/** POST answer: a JSON array with exactly one request-id string (§1.6). */
export function parseAdoSubmitResponse(json: unknown): AdoParsed<string> {
  if (!Array.isArray(json)) {
    return { ok: false, error: `$: expected a JSON array with one request id, got ${describe(json)}` };
  }
  if (json.length !== 1) {
    return { ok: false, error: `$: expected exactly one request id, got ${json.length}` };
  }
  const id: unknown = json[0];
  if (typeof id !== "string" || id.trim() === "") {
    return { ok: false, error: `$[0]: expected a non-empty request-id string, got ${describe(id)}` };
  }
  return { ok: true, value: id };
}

/** Outputs of both experiments (§1.2): `gpus` is per worker. Failures may carry gpus = workers = -1. */
export interface AdoAnswer {
  canRecommend: boolean;
  gpus?: number;
  workers?: number;
}

const MeasurementSchema = z.object({
  value: z.unknown(),
  property: z.object({
    targetProperty: z.object({ identifier: z.string() }).optional(),
    identifier: z.string().optional(),
  }),
});

const MeasurementResultSchema = z.object({
  measurements: z.array(MeasurementSchema).optional(),
  /** ADO's invalid measurements carry a reason instead of measurements (e.g. classifier failed to load). */
  reason: z.string().optional(),
});

const ResultSchema = z.object({
  entities: z.array(z.object({ measurement_results: z.array(MeasurementResultSchema) })),
});

const OUTPUTS = ["can_recommend", "gpus", "workers"] as const;
type Output = (typeof OUTPUTS)[number];

/** A measurement value as a number: JSON numbers, booleans (Python's True/False) and numeric strings. */
function measurementNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    const lowered = value.trim().toLowerCase();
    if (lowered === "true") return 1;
    if (lowered === "false") return 0;
    const n = Number(lowered);
    if (lowered !== "" && Number.isFinite(n)) return n;
  }
  return undefined;
}

/**
 * GET answer with status 200 (§1.6): `entities[0].measurement_results[].measurements[]`, each output
 * named by `property.targetProperty.identifier` (or `property.identifier`). `can_recommend` other than 1
 * means no recommendation; with 1, `gpus` and `workers` must be integers ≥ 1.
 */
export function parseAdoResult(json: unknown): AdoParsed<AdoAnswer> {
  const parsed = ResultSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  const entities = parsed.data.entities;
  if (entities.length !== 1) {
    return { ok: false, error: `$.entities: expected exactly one entity, got ${entities.length}` };
  }
  const results = entities[0]!.measurement_results;
  const found: Partial<Record<Output, { value: number; path: string }>> = {};
  const invalidReasons: string[] = [];
  for (const [r, result] of results.entries()) {
    if (result.measurements === undefined) {
      if (result.reason !== undefined) invalidReasons.push(result.reason);
      continue;
    }
    for (const [m, measurement] of result.measurements.entries()) {
      const path = `$.entities[0].measurement_results[${r}].measurements[${m}]`;
      const identifier = measurement.property.targetProperty?.identifier ?? measurement.property.identifier;
      if (identifier === undefined) {
        return { ok: false, error: `${path}.property: no targetProperty.identifier or identifier` };
      }
      const output = OUTPUTS.find((o) => o === identifier);
      if (output === undefined || found[output] !== undefined) continue;
      const value = measurementNumber(measurement.value);
      if (value === undefined) {
        return { ok: false, error: `${path}.value: expected a number for ${output}, got ${describe(measurement.value)}` };
      }
      found[output] = { value, path: `${path}.value` };
    }
  }
  const canRecommend = found.can_recommend;
  if (canRecommend === undefined) {
    const why = invalidReasons.length > 0 ? ` (measurement invalid: ${invalidReasons.join("; ")})` : "";
    return { ok: false, error: `$.entities[0].measurement_results: no can_recommend measurement${why}` };
  }
  if (canRecommend.value !== 1) {
    return {
      ok: true,
      value: { canRecommend: false, ...optional("gpus", found.gpus?.value), ...optional("workers", found.workers?.value) },
    };
  }
  for (const output of ["gpus", "workers"] as const) {
    const m = found[output];
    if (m === undefined) {
      return { ok: false, error: `$.entities[0].measurement_results: can_recommend=1 but no ${output} measurement` };
    }
    if (!Number.isInteger(m.value) || m.value < 1) {
      return { ok: false, error: `${m.path}: expected ${output} to be an integer ≥ 1, got ${m.value}` };
    }
  }
  return { ok: true, value: { canRecommend: true, gpus: found.gpus!.value, workers: found.workers!.value } };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

import { normaliseGpuModel, toAutoconfModelName } from "../core/sizing/index.js";
import type { TuningInputs, TuningMethod } from "../core/sizing/types.js";
import { readLaunch } from "../core/sizing/launcher/index.js";
import type { LaunchReading } from "../core/sizing/launcher/types.js";
import type { Container, PodSpec, PyTorchJob, ReplicaSpec } from "./mutators/shapes.js";

/** fms-hf-tuning defaults (tuning/config/configs.py; HF TrainingArguments) used when a job omits them. */
export const FMS_DEFAULTS = { maxSeqLength: 4096, perDeviceBatch: 8, gradientAccumulationSteps: 1 } as const;

export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
export const GPU_RESOURCE = "nvidia.com/gpu";

export interface JobReadOptions {
  envPrefix: string;
  defaultGpuModel?: string;
  /** Contents of files the job mounts (ConfigMaps), by absolute path in the container. */
  files?: ReadonlyMap<string, string>;
  /**
   * A job that names no GPU model reads successfully with `gpuModelMissing` (and an empty
   * `inputs.gpuModel`), for the caller to choose one; without this it is unreadable.
   */
  allowMissingGpuModel?: boolean;
}

export interface JobReading {
  inputs: TuningInputs;
  launch: LaunchReading;
  /** The replica whose container was read ("Master", or "Worker" for worker-only jobs). */
  primary: "Master" | "Worker";
  /** What was assumed or overridden, for the annotation. */
  notes: string[];
  /** Set with `allowMissingGpuModel` when nothing names the GPU model. */
  gpuModelMissing?: true;
}

export type JobReadResult = { ok: true; reading: JobReading } | { ok: false; reason: string };

/** The training container of a replica: the one named `pytorch` (KFTO requires it), else the first. */
export function trainingContainer(spec: PodSpec): { container: Container; index: number } {
  const index = spec.containers.findIndex((c) => c.name === "pytorch");
  const i = index >= 0 ? index : 0;
  return { container: spec.containers[i]!, index: i };
}

function literalEnv(container: Container, name: string): string | undefined {
  const entry = container.env?.find((e) => e.name === name);
  return entry?.valueFrom === undefined ? entry?.value : undefined;
}

function positiveInt(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

export function gpuCount(container: Container): number | undefined {
  const value = container.resources?.limits?.[GPU_RESOURCE] ?? container.resources?.requests?.[GPU_RESOURCE];
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** GPU model chain of the original controller: env → nodeSelector → single-valued required affinity → default. */
function gpuModelOf(spec: PodSpec, container: Container, opts: JobReadOptions): { model?: string; source: string } {
  const fromEnv = literalEnv(container, `${opts.envPrefix}GPU_MODEL`);
  if (fromEnv) return { model: fromEnv, source: `env ${opts.envPrefix}GPU_MODEL` };
  const fromSelector = spec.nodeSelector?.[GPU_PRODUCT_LABEL];
  if (fromSelector) return { model: fromSelector, source: "nodeSelector" };
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const req of term.matchExpressions ?? []) {
      if (req.key === GPU_PRODUCT_LABEL && req.operator === "In" && req.values?.length === 1) {
        return { model: req.values[0], source: "required node affinity" };
      }
    }
  }
  if (opts.defaultGpuModel) return { model: opts.defaultGpuModel, source: "--default-gpu-model" };
  return { source: "none" };
}

function methodOf(peft: string | undefined): { method?: TuningMethod; note?: string } {
  const v = peft?.toLowerCase();
  if (v === undefined || v === "none" || v === "") return { method: "full" };
  if (v === "lora") return { method: "lora" };
  // aLoRA and prompt tuning train a few adapter weights over a frozen model, like LoRA.
  if (v === "alora" || v === "pt") return { method: "lora", note: `peft_method ${v} sized as lora` };
  return {};
}

function replicaCount(spec: ReplicaSpec | undefined): number {
  return spec === undefined ? 0 : (spec.replicas ?? 1);
}

/**
 * Reads what a PyTorchJob asks for: the launcher of its primary container, `<prefix>*` env
 * overrides (they win, as in the original), the GPU model, and fms-hf-tuning defaults for the rest.
 */
export function readPyTorchJob(job: PyTorchJob, opts: JobReadOptions): JobReadResult {
  const specs = job.spec.pytorchReplicaSpecs;
  const primary = specs.Master ? "Master" : specs.Worker ? "Worker" : undefined;
  if (primary === undefined) return { ok: false, reason: "spec.pytorchReplicaSpecs has neither Master nor Worker" };
  const replica = specs[primary]!;
  const podSpec = replica.template.spec;
  const { container } = trainingContainer(podSpec);

  const launch = readLaunch(container, opts.files);
  if (!launch.ok) return { ok: false, reason: launch.reason };
  const settings = launch.reading.settings;
  const notes = [...launch.reading.notes];
  const env = (suffix: string) => literalEnv(container, `${opts.envPrefix}${suffix}`);

  const rawModel = env("MODEL_NAME") ?? settings.modelNameOrPath;
  if (rawModel === undefined) return { ok: false, reason: "no --model_name_or_path in the launcher and no " + `${opts.envPrefix}MODEL_NAME env` };
  const modelName = toAutoconfModelName(rawModel);
  if (modelName === undefined) return { ok: false, reason: `model ${rawModel} is not in the model table; set ${opts.envPrefix}MODEL_NAME to a known name` };

  const methodOverride = env("METHOD");
  const { method, note: methodNote } = methodOverride !== undefined ? methodOf(methodOverride === "full" ? "none" : methodOverride) : methodOf(settings.peftMethod);
  if (method === undefined) return { ok: false, reason: `peft_method ${methodOverride ?? settings.peftMethod} is not one of none, lora, alora, pt` };
  if (methodNote) notes.push(methodNote);

  const gpu = gpuModelOf(podSpec, container, opts);
  if (gpu.model === undefined && !opts.allowMissingGpuModel) return { ok: false, reason: noGpuModelReason(opts.envPrefix) };
  const gpuModel = gpu.model === undefined ? "" : normaliseGpuModel(gpu.model);

  const tokensPerSample = positiveInt(env("TOKENS_PER_SAMPLE")) ?? settings.maxSeqLength ?? FMS_DEFAULTS.maxSeqLength;
  if (settings.maxSeqLength === undefined && env("TOKENS_PER_SAMPLE") === undefined) notes.push(`max_seq_length absent: fms-hf-tuning default ${FMS_DEFAULTS.maxSeqLength}`);
  const perDeviceBatch = settings.perDeviceBatch ?? FMS_DEFAULTS.perDeviceBatch;
  if (settings.perDeviceBatch === undefined) notes.push(`per_device_train_batch_size absent: default ${FMS_DEFAULTS.perDeviceBatch}`);

  // Processes the user asked for: the launcher's own count when literal, else GPUs across pods.
  const pods = replicaCount(specs.Master) + replicaCount(specs.Worker);
  const gpusPerPod = gpuCount(container);
  let requestedGpus = settings.numProcesses;
  if (requestedGpus === undefined && settings.nprocPerNode !== undefined) requestedGpus = settings.nprocPerNode * Math.max(1, settings.numMachines ?? pods);
  if (requestedGpus === undefined) requestedGpus = Math.max(1, (gpusPerPod ?? 1) * Math.max(1, pods));
  if (launch.reading.kind === "python" && settings.numProcesses === undefined) requestedGpus = 1;

  const batchOverride = positiveInt(env("BATCH_SIZE"));
  const globalBatch = batchOverride ?? perDeviceBatch * requestedGpus;

  const inputs: TuningInputs = {
    modelName,
    method,
    gpuModel,
    tokensPerSample,
    perDeviceBatch: batchOverride !== undefined ? Math.max(1, Math.floor(batchOverride / requestedGpus)) : perDeviceBatch,
    requestedGpus,
    globalBatch,
    gradientAccumulationSteps: settings.gradientAccumulationSteps ?? FMS_DEFAULTS.gradientAccumulationSteps,
    ...(settings.loraRank !== undefined && { loraRank: settings.loraRank }),
    ...(settings.loraTargetModules !== undefined && { loraTargetModules: settings.loraTargetModules }),
    ...(isDtype(settings.torchDtype) && { torchDtype: settings.torchDtype }),
    ...(settings.gradientCheckpointing !== undefined && { gradientCheckpointing: settings.gradientCheckpointing }),
    ...(settings.useFlashAttn !== undefined && { useFlashAttn: settings.useFlashAttn }),
  };
  if (gpu.model === undefined) return { ok: true, reading: { inputs, launch: launch.reading, primary, notes, gpuModelMissing: true } };
  notes.push(`gpu model from ${gpu.source}`);
  return { ok: true, reading: { inputs, launch: launch.reading, primary, notes } };
}

export function noGpuModelReason(envPrefix: string): string {
  return `no GPU model: set nodeSelector ${GPU_PRODUCT_LABEL}, a single-valued required node affinity on it, or ${envPrefix}GPU_MODEL`;
}

function isDtype(v: string | undefined): v is "bfloat16" | "float16" | "float32" {
  return v === "bfloat16" || v === "float16" || v === "float32";
}

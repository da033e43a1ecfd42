/**
 * The steps from an admitted object to its sized copy, shared by the synchronous path (admit.ts, at
 * CREATE) and the asynchronous gate loop (gateLoop.ts, after ADO answers): read the job, derive the
 * sizing limits, and build the after-object (resized, done label, recommendation annotation) whose
 * diff against the object is the patch.
 */
import type { SizingLimits } from "../core/sizing/types.js";
import { recommendationAnnotation } from "./annotation.js";
import type { WebhookConfig } from "./config.js";
import { normaliseGpuModel } from "../core/sizing/index.js";
import { DECISION_ANNOTATION, jobTypeOf, NOTHING_OFFERED, type GpuTypeChoice, type GpuTypeChooser } from "./gpuTypeChoice.js";
import { GPU_PRODUCT_LABEL, noGpuModelReason, readPyTorchJob, type JobReading } from "./jobInputs.js";
import { mountedConfigFiles, type ConfigMapSource } from "./mountedFiles.js";
import { resizePyTorchJob, type Located, type Mutator } from "./mutators/index.js";
import type { ObjectMeta } from "./mutators/shapes.js";
import type { RecommenderAnswer } from "./recommenders/types.js";

export type LocatedJob = Extract<Located, { ok: true }>;

/** A job read far enough to ask a recommender about it. */
export interface AdmittedJob {
  located: LocatedJob;
  reading: JobReading;
  limits: SizingLimits;
  /** The job named no GPU type and this one was chosen for it (sizedObject pins it). */
  gpuChoice?: GpuTypeChoice;
}

/**
 * `readClusterState`: the reading fetched something from the cluster (a mounted ConfigMap), so the
 * same object may read differently later and its decision must not be remembered.
 */
export type AdmittedJobRead =
  | { ok: true; job: AdmittedJob; readClusterState: boolean }
  | { ok: false; reason: string; metadata: ObjectMeta; readClusterState: boolean };

export interface ReadDeps {
  config: WebhookConfig;
  /** Cluster mode: mounted ConfigMaps are read for SFT_TRAINER_CONFIG_JSON_PATH. */
  configMaps?: ConfigMapSource;
  /** Chooses a GPU type for jobs that name none (before `--default-gpu-model` applies). */
  gpuTypes?: GpuTypeChooser;
}

/** The limits a recommender searches within: the configured ones, narrowed by what the launcher can express. */
export function sizingLimits(config: WebhookConfig, reading: JobReading): SizingLimits {
  const { launch } = reading;
  return {
    policy: config.policy,
    maxGpus: config.maxGpus,
    gpusPerNode: config.gpusPerNode,
    perDeviceBatchRewritable: launch.perDeviceBatchRewritable,
    ...(launch.maxWorkers !== undefined && { maxWorkers: launch.maxWorkers }),
  };
}

/** Reads a located job: mounted config files (best effort), launcher, env overrides, GPU model, limits. */
export async function readLocatedJob(located: LocatedJob, namespace: string | undefined, deps: ReadDeps): Promise<AdmittedJobRead> {
  const { config, configMaps } = deps;
  let readClusterState = false;
  const source: ConfigMapSource | undefined = configMaps && {
    get: (ns, name) => {
      readClusterState = true;
      return configMaps.get(ns, name);
    },
  };
  // A ConfigMap we cannot fetch reads as absent; readPyTorchJob then names what is missing.
  const files = await mountedConfigFiles(located.job, namespace, source).catch(() => new Map<string, string>());
  const chooser = deps.gpuTypes;
  const read = readPyTorchJob(located.job, {
    envPrefix: config.envPrefix,
    // With a chooser the default applies only when it cannot choose (below).
    ...(config.defaultGpuModel !== undefined && !chooser && { defaultGpuModel: config.defaultGpuModel }),
    ...(chooser && { allowMissingGpuModel: true }),
    files,
  });
  if (!read.ok) return { ok: false, reason: read.reason, metadata: located.metadata, readClusterState };
  const reading = read.reading;
  const limits = sizingLimits(config, reading);
  if (!reading.gpuModelMissing) return { ok: true, job: { located, reading, limits }, readClusterState };

  const { gpuModelMissing: _missing, ...rest } = reading;
  const choice = chooser!.choose(jobTypeOf(located.job.metadata?.labels, reading.inputs), reading.inputs, limits);
  if (choice.ok) {
    const chosen: JobReading = { ...rest, inputs: { ...reading.inputs, gpuModel: normaliseGpuModel(choice.choice.product) }, notes: [...reading.notes, `gpu type ${choice.choice.product} chosen by the learned model`] };
    return { ok: true, job: { located, reading: chosen, limits, gpuChoice: choice.choice }, readClusterState };
  }
  if (config.defaultGpuModel !== undefined) {
    const fallback: JobReading = { ...rest, inputs: { ...reading.inputs, gpuModel: normaliseGpuModel(config.defaultGpuModel) }, notes: [...reading.notes, `gpu model from --default-gpu-model (${choice.reason})`] };
    return { ok: true, job: { located, reading: fallback, limits }, readClusterState };
  }
  // Offered types that all fail say more than "no GPU model": lead with that.
  const reason = choice.reason === NOTHING_OFFERED ? noGpuModelReason(config.envPrefix) : `${choice.reason}; or ${noGpuModelReason(config.envPrefix)}`;
  return { ok: false, reason, metadata: located.metadata, readClusterState };
}

/** Locates the PyTorchJob in `object` (the object itself, or an AppWrapper's component) and reads it. */
export async function readAdmittedJob(mutator: Mutator, object: unknown, namespace: string | undefined, deps: ReadDeps): Promise<AdmittedJobRead> {
  const located = mutator.locate(object);
  if (!located.ok) return { ok: false, reason: located.reason, metadata: metadataOf(object), readClusterState: false };
  return readLocatedJob(located, namespace, deps);
}

/** `metadata` of an object that did not parse, for names in logs and events. */
export function metadataOf(object: unknown): ObjectMeta {
  if (typeof object !== "object" || object === null) return {};
  const meta = (object as Record<string, unknown>).metadata;
  return typeof meta === "object" && meta !== null ? (meta as ObjectMeta) : {};
}

/** Sets a label on a (cloned) object's metadata, creating the map when absent. */
export function setLabel(object: Record<string, unknown>, key: string, value: string): void {
  const meta = ((object.metadata as Record<string, unknown> | undefined) ??= {});
  const labels = ((meta.labels as Record<string, string> | undefined) ??= {});
  labels[key] = value;
}

/** Sets an annotation on a (cloned) object's metadata, creating the map when absent. */
export function setAnnotation(object: Record<string, unknown>, key: string, value: string): void {
  const meta = ((object.metadata as Record<string, unknown> | undefined) ??= {});
  const annotations = ((meta.annotations as Record<string, string> | undefined) ??= {});
  annotations[key] = value;
}

/**
 * The sized copy of the located object: resized to the recommendation when there is one (resources alone
 * otherwise), with the done label and the recommendation annotation. The admitted object is not touched.
 */
export function sizedObject(
  mutator: Mutator,
  located: LocatedJob,
  job: Pick<AdmittedJob, "reading" | "gpuChoice">,
  answer: RecommenderAnswer,
  config: WebhookConfig,
): Record<string, unknown> {
  const { inputs, launch, primary, notes } = job.reading;
  // Copy-on-write: only the paths resize writes are new objects (see mutators/copyOnWrite.ts).
  const { root: after, job: afterJob } = located.thaw();
  if (answer.result.ok) {
    const rec = answer.result.recommendation;
    resizePyTorchJob(afterJob, rec, primary, launch, { cpuPerGpu: config.cpuPerGpu, patchCpu: config.patchCpu, envPrefix: config.envPrefix });
    mutator.afterResize?.(after, rec);
  }
  if (job.gpuChoice) pinGpuType(afterJob, job.gpuChoice, after);
  setLabel(after, config.doneLabel.key, config.doneLabel.value);
  setAnnotation(after, config.recommendationAnnotation, recommendationAnnotation(inputs, answer, config.policy, notes));
  return after;
}

/** Every replica's pods go to the chosen GPU type; the decision says why (thawed objects only). */
function pinGpuType(job: LocatedJob["job"], choice: GpuTypeChoice, root: Record<string, unknown>): void {
  for (const replica of Object.values(job.spec.pytorchReplicaSpecs)) {
    if (!replica) continue;
    const spec = replica.template.spec;
    // nodeSelector may be shared with the admitted object: replace it, never edit it.
    spec.nodeSelector = { ...spec.nodeSelector, [GPU_PRODUCT_LABEL]: choice.product };
  }
  setAnnotation(root, DECISION_ANNOTATION, JSON.stringify(choice.decision));
}

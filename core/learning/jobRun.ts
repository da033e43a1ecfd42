/**
 * What a PyTorchJob says about one run of it, read from the object the API server lists: how far it
 * got (conditions), how long it took (status.startTime → completionTime), its learning key (job type)
 * and the GPU product it asked for. Pure and lenient: a malformed status field reads as absent, so the
 * learner can say which fact was missing instead of rejecting the whole job.
 */
import { z } from "zod";
import { acceptedProducts, JOB_TYPE_LABEL, type PodLike } from "../placement/index.js";

/** Set by the Kubeflow training operator on every pod of a job: the job's name, and the pod's replica type (lower case). */
export const TRAINING_JOB_NAME_LABEL = "training.kubeflow.org/job-name";
export const TRAINING_REPLICA_TYPE_LABEL = "training.kubeflow.org/replica-type";

/**
 * `pending`: created, no pod running yet (or restarting). `running`: condition Running=True.
 * `succeeded` / `failed`: the terminal conditions; Failed wins if an operator ever left both True.
 */
export type JobRunState = "pending" | "running" | "succeeded" | "failed";

export type RuntimeReading = { ok: true; runtimeS: number } | { ok: false; reason: string };

export interface JobRun {
  uid: string;
  namespace: string;
  name: string;
  state: JobRunState;
  /**
   * The run was interrupted at least once: a Restarting condition in its history, or pods counted as
   * failed (evicted pods end in phase Failed). Its wall time then holds lost work, not a runtime.
   */
  restarted: boolean;
  /** The learning key, or undefined when neither the labels nor the recommendation annotation give one. */
  jobType: string | undefined;
  /** The product the job pinned (node selector, or one required-affinity value); undefined when the scheduler chose. */
  requestedGpuType: string | undefined;
  runtime: RuntimeReading;
}

export type JobRunReading = { ok: true; run: JobRun } | { ok: false; reason: string };

export interface JobRunOptions {
  /** Annotation the webhook writes its recommendation to (webhook.recommendationAnnotation). */
  recommendationAnnotation: string;
}

const StringMap = z.record(z.string(), z.string());
/** Optional, and absent rather than fatal when malformed. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const Condition = z.looseObject({ type: z.string(), status: z.string() });
const PodTemplateSpec = z.looseObject({
  nodeSelector: lenient(StringMap),
  affinity: lenient(
    z.looseObject({
      nodeAffinity: z
        .looseObject({
          requiredDuringSchedulingIgnoredDuringExecution: z
            .looseObject({
              nodeSelectorTerms: z.array(
                z.looseObject({
                  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() })).optional(),
                }),
              ),
            })
            .optional(),
        })
        .optional(),
    }),
  ),
});
const ReplicaSpec = z.looseObject({
  template: lenient(z.looseObject({ metadata: lenient(z.looseObject({ labels: lenient(StringMap) })), spec: lenient(PodTemplateSpec) })),
});

const PyTorchJobRun = z.looseObject({
  metadata: z.looseObject({
    uid: z.string().min(1),
    namespace: z.string().min(1),
    name: z.string().min(1),
    labels: lenient(StringMap),
    annotations: lenient(StringMap),
  }),
  spec: lenient(z.looseObject({ pytorchReplicaSpecs: lenient(z.record(z.string(), ReplicaSpec)) })),
  status: lenient(
    z.looseObject({
      conditions: lenient(z.array(Condition)),
      startTime: lenient(z.string()),
      completionTime: lenient(z.string()),
      replicaStatuses: lenient(z.record(z.string(), z.looseObject({ failed: lenient(z.number()) }))),
    }),
  ),
});
type PyTorchJobRun = z.infer<typeof PyTorchJobRun>;
type ReplicaSpec = z.infer<typeof ReplicaSpec>;

/** The slice of the recommendation annotation (webhook/annotation.ts) that names the job's model and method. */
const RecommendationInputs = z.looseObject({ inputs: z.looseObject({ model_name: z.string().min(1), method: z.string().min(1) }) });

/** The learning key from model and method, the same derivation the webhook uses when it scores a job that has no label. */
export function jobTypeFromModel(modelName: string, method: string): string {
  return `${modelName}-${method}`;
}

export function readJobRun(object: unknown, opts: JobRunOptions): JobRunReading {
  const parsed = PyTorchJobRun.safeParse(object);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "unreadable"}` };
  }
  const job = parsed.data;
  const { uid, namespace, name } = job.metadata;
  const replicas = replicaSpecs(job);
  return {
    ok: true,
    run: {
      uid,
      namespace,
      name,
      state: stateOf(job),
      restarted: restartedOf(job),
      jobType: jobTypeOf(job, replicas, opts.recommendationAnnotation),
      requestedGpuType: requestedGpuTypeOf(replicas),
      runtime: runtimeOf(job),
    },
  };
}

function stateOf(job: PyTorchJobRun): JobRunState {
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === "True");
  if (isTrue("Failed")) return "failed";
  if (isTrue("Succeeded")) return "succeeded";
  if (isTrue("Running")) return "running";
  return "pending";
}

function restartedOf(job: PyTorchJobRun): boolean {
  // The operator flips Restarting to False when the job runs again but keeps it in the list, so its presence is the history.
  if ((job.status?.conditions ?? []).some((c) => c.type === "Restarting")) return true;
  return Object.values(job.status?.replicaStatuses ?? {}).some((r) => (r.failed ?? 0) > 0);
}

/** Master first (its pod is the one whose node the learner reads), then the other replica types by name. */
function replicaSpecs(job: PyTorchJobRun): ReplicaSpec[] {
  const specs = Object.entries(job.spec?.pytorchReplicaSpecs ?? {});
  specs.sort(([a], [b]) => (a === "Master" ? -1 : b === "Master" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return specs.map(([, spec]) => spec);
}

function jobTypeOf(job: PyTorchJobRun, replicas: readonly ReplicaSpec[], annotation: string): string | undefined {
  const labelled = job.metadata.labels?.[JOB_TYPE_LABEL] ?? replicas.map((r) => r.template?.metadata?.labels?.[JOB_TYPE_LABEL]).find((t) => t !== undefined);
  if (labelled !== undefined && labelled !== "") return labelled;
  const text = job.metadata.annotations?.[annotation];
  if (text === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // Someone else's text under that key: no model and method to derive a key from.
    return undefined;
  }
  const inputs = RecommendationInputs.safeParse(body);
  return inputs.success ? jobTypeFromModel(inputs.data.inputs.model_name, inputs.data.inputs.method) : undefined;
}

/** The one product every replica pinned; replicas that disagree or pin several leave the choice to the node the pods ran on. */
function requestedGpuTypeOf(replicas: readonly ReplicaSpec[]): string | undefined {
  const pinned = new Set<string>();
  for (const replica of replicas) {
    const spec = replica.template?.spec;
    if (spec === undefined) continue;
    const products = acceptedProducts({ spec } as PodLike);
    if (products === undefined) continue;
    if (products.length !== 1) return undefined;
    pinned.add(products[0]!);
  }
  return pinned.size === 1 ? [...pinned][0] : undefined;
}

/**
 * Seconds from startTime to completionTime. startTime is when the operator acknowledged the job, so
 * the runtime includes pod start-up (image pull, scheduling); every job of a type pays it alike.
 * Timestamps are RFC 3339 with whole seconds, so a zero length means "no measurement", not a fast job.
 */
function runtimeOf(job: PyTorchJobRun): RuntimeReading {
  const { startTime, completionTime } = job.status ?? {};
  if (startTime === undefined) return { ok: false, reason: "status.startTime is missing" };
  if (completionTime === undefined) return { ok: false, reason: "status.completionTime is missing" };
  const startMs = Date.parse(startTime);
  const endMs = Date.parse(completionTime);
  if (Number.isNaN(startMs)) return { ok: false, reason: `status.startTime is not a time: ${startTime}` };
  if (Number.isNaN(endMs)) return { ok: false, reason: `status.completionTime is not a time: ${completionTime}` };
  if (endMs <= startMs) return { ok: false, reason: `status.completionTime ${completionTime} is not after status.startTime ${startTime}` };
  return { ok: true, runtimeS: (endMs - startMs) / 1000 };
}

/**
 * PyTorchJobs as the training operator leaves them: a fixture job (test/fixtures/jobs) given an
 * identity and the status the operator writes at each stage (conditions, start/completion time,
 * replica counts), and the GPU pods the operator creates for it.
 */
import type { PodObject } from "../../platform/kube/clusterView.js";
import { loadJob } from "./reviews.js";

export type RunStage = "created" | "running" | "restarting" | "succeeded" | "failed";

export const STARTED = "2025-03-01T12:00:00Z";
export const COMPLETED = "2025-03-01T13:30:00Z";
/** COMPLETED − STARTED. */
export const RUNTIME_S = 5_400;

export interface StatusOptions {
  startTime?: string | undefined;
  completionTime?: string | undefined;
  /** The run went through a Restarting condition on the way. */
  restarted?: boolean;
  /** Worker pods counted as failed (evicted pods end in phase Failed). */
  failedPods?: number;
}

const condition = (type: string, status: "True" | "False") => ({ type, status, reason: `PyTorchJob${type}`, lastTransitionTime: STARTED, lastUpdateTime: STARTED });

/** The status the operator writes at `stage`, conditions in the order it appends them. */
export function jobStatus(stage: RunStage, opts: StatusOptions = {}): Record<string, unknown> {
  const finished = stage === "succeeded" || stage === "failed";
  const conditions = [condition("Created", "True")];
  if (opts.restarted || stage === "restarting") conditions.push(condition("Restarting", stage === "restarting" ? "True" : "False"));
  conditions.push(condition("Running", stage === "running" ? "True" : "False"));
  if (stage === "succeeded") conditions.push(condition("Succeeded", "True"));
  if (stage === "failed") conditions.push(condition("Failed", "True"));
  const startTime = "startTime" in opts ? opts.startTime : stage === "created" ? undefined : STARTED;
  const completionTime = "completionTime" in opts ? opts.completionTime : finished ? COMPLETED : undefined;
  return {
    conditions,
    ...(startTime !== undefined && { startTime }),
    ...(completionTime !== undefined && { completionTime }),
    replicaStatuses: {
      Master: stage === "succeeded" ? { succeeded: 1 } : stage === "failed" ? { failed: 1 } : { active: 1 },
      ...(opts.failedPods !== undefined && { Worker: { failed: opts.failedPods } }),
    },
  };
}

export interface JobIdentity {
  namespace?: string;
  name?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The PyTorchJob of a fixture file with an identity and, when given, a status. */
export function fixtureJob(file: string, id: JobIdentity = {}, status?: Record<string, unknown>): Record<string, unknown> {
  const job = loadJob(`jobs/${file}`);
  const metadata = (job["metadata"] ?? {}) as Record<string, unknown>;
  return {
    ...job,
    metadata: {
      ...metadata,
      namespace: id.namespace ?? "team-a",
      name: id.name ?? metadata["name"],
      ...(id.uid !== undefined && { uid: id.uid }),
      labels: { ...((metadata["labels"] as Record<string, string> | undefined) ?? {}), ...id.labels },
      ...(id.annotations !== undefined && { annotations: id.annotations }),
    },
    ...(status !== undefined && { status }),
  };
}

/** A bound GPU pod of a training job, labelled as the operator labels it. */
export function aJobPod(opts: { job: string; namespace?: string; replica: "master" | "worker"; index?: number; node: string; jobType?: string; gpus?: number; phase?: string }): PodObject {
  const name = `${opts.job}-${opts.replica}-${opts.index ?? 0}`;
  return {
    metadata: {
      uid: `pod-${opts.namespace ?? "team-a"}-${name}`,
      name,
      namespace: opts.namespace ?? "team-a",
      labels: {
        "training.kubeflow.org/job-name": opts.job,
        "training.kubeflow.org/replica-type": opts.replica,
        "training.kubeflow.org/replica-index": String(opts.index ?? 0),
        ...(opts.jobType !== undefined && { "gpu-steward.io/job-type": opts.jobType }),
      },
    },
    spec: { nodeName: opts.node, containers: [{ resources: { limits: { "nvidia.com/gpu": String(opts.gpus ?? 8) } } }] },
    status: { phase: opts.phase ?? "Running" },
  };
}

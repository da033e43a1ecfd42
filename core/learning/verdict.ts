/**
 * What a finished run teaches the learned model: one observation, or why it teaches nothing. Failed
 * and interrupted runs are never runtimes (a failure's wall time says nothing of how long the work
 * takes); a success is observed only when every fact of the observation is known.
 */
import type { Observation } from "../scoring/index.js";
import type { JobRun } from "./jobRun.js";

/** What the learner saw while the job ran. */
export interface RunSamples {
  /** When a running sample first found the job's pods on nodes; undefined if none ever did. */
  sampledMs: number | undefined;
  colocatedJobTypes: readonly string[];
  /** Product of the master pod's node, last seen. */
  gpuType: string | undefined;
}

/**
 * - `no-job-type`: no `gpu-steward.io/job-type` label and no recommendation annotation to derive one from.
 * - `no-runtime`: start or completion time missing, unreadable or not in order.
 * - `not-sampled`: never seen running on a node, so what shared its nodes is unknown; observing it as
 *   a solo run would skew the solo baseline the interference learning measures against.
 * - `no-gpu-type`: the job pinned no product and its master pod's node was never seen with one.
 */
export type SkipReason = "no-job-type" | "no-runtime" | "not-sampled" | "no-gpu-type";
export const SKIP_REASONS: readonly SkipReason[] = ["no-job-type", "no-runtime", "not-sampled", "no-gpu-type"];

export type FailedRunReason = "failed" | "restarted";
export const FAILED_RUN_REASONS: readonly FailedRunReason[] = ["failed", "restarted"];

export type RunVerdict =
  | { kind: "observe"; observation: Observation }
  | { kind: "failed-run"; reason: FailedRunReason; detail: string }
  | { kind: "skip"; reason: SkipReason; detail: string };

/** Undefined while the run has not finished. */
export function runVerdict(run: JobRun, samples: RunSamples): RunVerdict | undefined {
  if (run.state === "failed") return { kind: "failed-run", reason: "failed", detail: "condition Failed is True" };
  if (run.state !== "succeeded") return undefined;
  if (run.restarted) return { kind: "failed-run", reason: "restarted", detail: "succeeded after a restart or a failed (evicted) pod; its wall time holds lost work" };
  if (run.jobType === undefined) return { kind: "skip", reason: "no-job-type", detail: "no job-type label and no recommendation annotation with model_name and method" };
  if (!run.runtime.ok) return { kind: "skip", reason: "no-runtime", detail: run.runtime.reason };
  if (samples.sampledMs === undefined) return { kind: "skip", reason: "not-sampled", detail: "never seen running on a node; co-located jobs unknown" };
  const gpuType = run.requestedGpuType ?? samples.gpuType;
  if (gpuType === undefined) return { kind: "skip", reason: "no-gpu-type", detail: "no nvidia.com/gpu.product pinned and the master pod's node had none" };
  return { kind: "observe", observation: { jobType: run.jobType, gpuType, runtimeS: run.runtime.runtimeS, colocatedJobTypes: [...samples.colocatedJobTypes] } };
}

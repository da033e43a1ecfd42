import fastJsonPatch, { type Operation } from "fast-json-patch";
import type { Clock } from "../platform/clock.js";
import type { Logger } from "../platform/log.js";
import type { WebhookConfig } from "./config.js";
import { gatedObject, takesGate, type AdmissionGate } from "./gate.js";
import type { ReviewResult, WebhookMetrics } from "./metrics.js";
import type { GpuTypeChooser } from "./gpuTypeChoice.js";
import type { ConfigMapSource } from "./mountedFiles.js";
import { mutatorFor } from "./mutators/index.js";
import type { ObjectMeta } from "./mutators/shapes.js";
import { optInDecision } from "./optIn.js";
import type { Recommender, RecommenderName } from "./recommenders/types.js";
import type { AdmissionRequest } from "./review.js";
import { readLocatedJob, sizedObject } from "./sizing.js";

const { compare } = fastJsonPatch;

/** Warning event port (platform/kube EventRecorder satisfies it). Never awaited on the hot path. */
export interface JobEvents {
  record(e: {
    regarding: { apiVersion: string; kind: string; namespace: string; name: string; uid?: string };
    type: "Normal" | "Warning";
    reason: string;
    message: string;
  }): Promise<void>;
}

export interface AdmitDeps {
  config: WebhookConfig;
  recommender: Recommender;
  clock: Clock;
  log: Logger;
  metrics: WebhookMetrics;
  /** Cluster mode only. */
  events?: JobEvents;
  configMaps?: ConfigMapSource;
  /** Chooses the GPU type of jobs that name none (the learned model shared with the extender). */
  gpuTypes?: GpuTypeChooser;
  /** Budget for the whole review; remote recommenders stop waiting at this point. */
  deadlineMs?: number;
  /**
   * Cluster mode with the gate loop running: Kueue-queued PyTorchJobs are gated and sized later
   * (with `--recommender ado --ado-async-gate`) instead of waiting for ADO here.
   */
  gate?: AdmissionGate;
}

/** An event about the job, as the EventRecorder port takes it. */
export type JobEvent = Parameters<JobEvents["record"]>[0];

/**
 * What one review decided and what to say about it, as plain data: `record` turns it into metrics,
 * a log line and an event, and the decision memo (decisionMemo.ts) replays it for a repeated review.
 */
export interface Decision {
  kind: string;
  result: ReviewResult;
  ops: Operation[];
  warnings: string[];
  /** The sizing answer, for the recommendations and fallbacks counters. */
  recommendation?: { recommender: RecommenderName; outcome: string; fallbackFrom?: RecommenderName };
  /** The review's log line; `uid` is added per review. */
  log?: { level: "info" | "warn"; message: string; fields: Record<string, unknown> };
  /** Recorded unless the review is a dryRun or the job has no namespace. */
  event?: JobEvent;
  /**
   * Nothing but the object, its namespace and our config went into it (no cluster read, no remote
   * recommender), so the same review content always decides the same.
   */
  repeatable: boolean;
}

/** The apiserver shows warnings to kubectl users; it asks for ≤ 120 characters each. */
function warning(text: string): string {
  const line = `gpu-steward: ${text}`;
  return line.length <= 120 ? line : `${line.slice(0, 117)}...`;
}

/** Decides one AdmissionRequest and records it (metrics, log, event). */
export async function admit(request: AdmissionRequest, deps: AdmitDeps): Promise<Decision> {
  const decision = await decide(request, deps);
  record(decision, request, deps);
  return decision;
}

/**
 * The side effects of a decision; run once per review, also when the decision was remembered.
 * `boundLog`: a child logger already bound to the decision's log fields (the memo keeps one per
 * entry, so a repeated review serialises only its uid).
 */
export function record(
  decision: Decision,
  request: Pick<AdmissionRequest, "uid" | "dryRun" | "namespace">,
  deps: Pick<AdmitDeps, "metrics" | "log" | "events">,
  boundLog?: Logger,
): void {
  const { recommendation, log, event } = decision;
  if (recommendation) {
    deps.metrics.recommendations.labels(recommendation.recommender, recommendation.outcome).inc();
    if (recommendation.fallbackFrom) deps.metrics.fallbacks.labels(recommendation.fallbackFrom, recommendation.recommender).inc();
  }
  if (log) {
    if (boundLog) boundLog[log.level]({ uid: request.uid }, log.message);
    else deps.log[log.level]({ uid: request.uid, ...log.fields }, log.message);
  }
  if (event && !request.dryRun && deps.events && request.namespace) void deps.events.record(event);
}

/**
 * Decides one AdmissionRequest without side effects. Never throws for anything inside the request:
 * a job we cannot read is admitted unchanged with a warning (and a Warning event in cluster mode).
 */
export async function decide(request: AdmissionRequest, deps: AdmitDeps): Promise<Decision> {
  const { config } = deps;
  const mutator = mutatorFor(request.kind.group, request.kind.kind);
  const kind = mutator?.kind ?? "other";
  const skip = (result: ReviewResult): Decision => ({ kind, result, ops: [], warnings: [], repeatable: true });
  if (!mutator || request.operation !== "CREATE") return skip("skipped");

  const object = request.object;
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    return unreadable(request, kind, {}, "request.object is not a JSON object", false);
  }
  const located = mutator.locate(object);
  const meta: ObjectMeta = located.ok ? located.metadata : (((object as Record<string, unknown>).metadata ?? {}) as ObjectMeta);
  const optIn = optInDecision(meta, request.namespace, config);
  if (!optIn.optedIn) return skip(optIn.reason === "already-sized" ? "unchanged" : "skipped");
  if (!located.ok) return unreadable(request, kind, meta, located.reason, false);

  const read = await readLocatedJob(located, request.namespace, deps);
  if (!read.ok) return unreadable(request, kind, meta, read.reason, read.readClusterState);
  if (takesGate(mutator, meta, config, deps.gate)) return gated(request, kind, meta, object, read.readClusterState);
  const { inputs } = read.job.reading;

  const deadline = deps.deadlineMs ?? deps.clock.nowMs() + config.adoDeadlineMs;
  const answer = await deps.recommender.recommend(inputs, read.job.limits, deadline);
  const after = sizedObject(mutator, located, read.job, answer, config);
  const warnings: string[] = [];
  if (!answer.result.ok) warnings.push(warning(`no GPU recommendation, resources left as asked: ${answer.result.reason}`));
  if (answer.fallback) warnings.push(warning(`${answer.fallback.from} recommender failed, used ${answer.recommender}: ${answer.fallback.reason}`));

  const ok = answer.result.ok;
  const fields = {
    kind,
    namespace: request.namespace,
    name: meta.name ?? meta.generateName,
    recommender: answer.recommender,
    ...(read.job.gpuChoice && { gpuType: read.job.gpuChoice.product }),
  };
  return {
    kind,
    result: ok ? "patched" : "no-recommendation",
    ops: compare(object, after),
    warnings,
    recommendation: {
      recommender: answer.recommender,
      outcome: answer.result.ok ? "ok" : answer.result.code,
      ...(answer.fallback && { fallbackFrom: answer.fallback.from }),
    },
    log: answer.result.ok
      ? {
          level: "info",
          message: "job sized",
          fields: { ...fields, gpus: answer.result.recommendation.gpusPerWorker, workers: answer.result.recommendation.workers, reason: answer.result.reason },
        }
      : { level: "warn", message: "no recommendation for job", fields: { ...fields, code: answer.result.code, reason: answer.result.reason } },
    event: {
      regarding: regarding(request, meta),
      type: ok ? "Normal" : "Warning",
      reason: ok ? "PatchedWithRecommendations" : "NoRecommendationAvailable",
      message: answer.result.reason,
    },
    // A learned GPU-type choice depends on what the model has seen so far: decide it afresh each time.
    repeatable: deps.recommender.deterministic === true && !answer.fallback && !read.readClusterState && !read.job.gpuChoice,
  };
}

/**
 * The asynchronous path: only our Kueue admission gate and the pending label, so Kueue holds the job
 * until the gate loop has sized it. The same answer on dryRun: the patch is no side effect.
 */
function gated(request: AdmissionRequest, kind: string, meta: ObjectMeta, object: object, readClusterState: boolean): Decision {
  return {
    kind,
    result: "patched",
    ops: compare(object, gatedObject(object)),
    warnings: [],
    log: { level: "info", message: "job gated for asynchronous sizing", fields: { kind, namespace: request.namespace, name: meta.name ?? meta.generateName, result: "gated" } },
    repeatable: !readClusterState,
  };
}

function regarding(request: AdmissionRequest, meta: ObjectMeta): JobEvent["regarding"] {
  const object = request.object as { apiVersion?: string; kind?: string };
  return {
    apiVersion: object.apiVersion ?? `${request.kind.group}/${request.kind.version}`,
    kind: object.kind ?? request.kind.kind,
    namespace: request.namespace ?? "default",
    name: meta.name ?? meta.generateName ?? "",
  };
}

function unreadable(request: AdmissionRequest, kind: string, meta: ObjectMeta, reason: string, readClusterState: boolean): Decision {
  return {
    kind,
    result: "unreadable",
    ops: [],
    warnings: [warning(`job admitted unchanged: ${reason}`)],
    log: {
      level: "warn",
      message: "job admitted unchanged: cannot read it",
      fields: { kind, namespace: request.namespace, name: meta.name ?? meta.generateName, reason, code: "JOB_UNREADABLE" },
    },
    event: { regarding: regarding(request, meta), type: "Warning", reason: "RightsizingSkipped", message: `admitted unchanged: ${reason}` },
    repeatable: !readClusterState,
  };
}

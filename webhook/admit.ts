import fastJsonPatch, { type Operation } from "fast-json-patch";
import type { Clock } from "../platform/clock.js";
import type { Logger } from "../platform/log.js";
import type { WebhookConfig } from "./config.js";
import { gatedObject, takesGate, type AdmissionGate } from "./gate.js";
import type { ReviewResult, WebhookMetrics } from "./metrics.js";
import type { ConfigMapSource } from "./mountedFiles.js";
import { mutatorFor } from "./mutators/index.js";
import type { ObjectMeta } from "./mutators/shapes.js";
import { optInDecision } from "./optIn.js";
import type { Recommender } from "./recommenders/types.js";
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
  /** Budget for the whole review; remote recommenders stop waiting at this point. */
  deadlineMs?: number;
  /**
   * Cluster mode with the gate loop running: Kueue-queued PyTorchJobs are gated and sized later
   * (with `--recommender ado --ado-async-gate`) instead of waiting for ADO here.
   */
  gate?: AdmissionGate;
}

export interface AdmitOutcome {
  kind: string;
  result: ReviewResult;
  ops: Operation[];
  warnings: string[];
}

/** The apiserver shows warnings to kubectl users; it asks for ≤ 120 characters each. */
function warning(text: string): string {
  const line = `gpu-steward: ${text}`;
  return line.length <= 120 ? line : `${line.slice(0, 117)}...`;
}

/**
 * Decides one AdmissionRequest. Never throws for anything inside the request: a job we cannot read
 * is admitted unchanged with a warning (and a Warning event in cluster mode, except on dryRun).
 */
export async function admit(request: AdmissionRequest, deps: AdmitDeps): Promise<AdmitOutcome> {
  const { config } = deps;
  const mutator = mutatorFor(request.kind.group, request.kind.kind);
  const kind = mutator?.kind ?? "other";
  const skip = (result: ReviewResult, warnings: string[] = []): AdmitOutcome => ({ kind, result, ops: [], warnings });
  if (!mutator || request.operation !== "CREATE") return skip("skipped");

  const object = request.object;
  if (typeof object !== "object" || object === null || Array.isArray(object)) {
    return unreadable(request, deps, kind, {}, "request.object is not a JSON object");
  }
  const located = mutator.locate(object);
  const meta: ObjectMeta = located.ok ? located.metadata : (((object as Record<string, unknown>).metadata ?? {}) as ObjectMeta);
  const optIn = optInDecision(meta, request.namespace, config);
  if (!optIn.optedIn) return skip(optIn.reason === "already-sized" ? "unchanged" : "skipped");
  if (!located.ok) return unreadable(request, deps, kind, meta, located.reason);

  const read = await readLocatedJob(located, request.namespace, deps);
  if (!read.ok) return unreadable(request, deps, kind, meta, read.reason);
  if (takesGate(mutator, meta, config, deps.gate)) return gated(request, deps, kind, meta, object);
  const { inputs } = read.job.reading;

  const deadline = deps.deadlineMs ?? deps.clock.nowMs() + config.adoDeadlineMs;
  const answer = await deps.recommender.recommend(inputs, read.job.limits, deadline);
  deps.metrics.recommendations.labels(answer.recommender, answer.result.ok ? "ok" : answer.result.code).inc();
  if (answer.fallback) deps.metrics.fallbacks.labels(answer.fallback.from, answer.recommender).inc();

  const after = sizedObject(mutator, located, read.job, answer, config);
  const warnings: string[] = [];
  if (!answer.result.ok) warnings.push(warning(`no GPU recommendation, resources left as asked: ${answer.result.reason}`));
  if (answer.fallback) warnings.push(warning(`${answer.fallback.from} recommender failed, used ${answer.recommender}: ${answer.fallback.reason}`));

  const ops = compare(object, after);
  const log = deps.log.child({ uid: request.uid, kind, namespace: request.namespace, name: meta.name ?? meta.generateName });
  if (answer.result.ok) {
    const rec = answer.result.recommendation;
    log.info({ recommender: answer.recommender, gpus: rec.gpusPerWorker, workers: rec.workers, reason: answer.result.reason }, "job sized");
  } else {
    log.warn({ recommender: answer.recommender, code: answer.result.code, reason: answer.result.reason }, "no recommendation for job");
  }
  if (!request.dryRun && deps.events && request.namespace) {
    const ok = answer.result.ok;
    void deps.events.record({
      regarding: regarding(request, meta),
      type: ok ? "Normal" : "Warning",
      reason: ok ? "PatchedWithRecommendations" : "NoRecommendationAvailable",
      message: answer.result.reason,
    });
  }
  return { kind, result: answer.result.ok ? "patched" : "no-recommendation", ops, warnings };
}

/**
 * The asynchronous path: only our Kueue admission gate and the pending label, so Kueue holds the job
 * until the gate loop has sized it. The same answer on dryRun: the patch is no side effect.
 */
function gated(request: AdmissionRequest, deps: AdmitDeps, kind: string, meta: ObjectMeta, object: object): AdmitOutcome {
  const ops = compare(object, gatedObject(object));
  deps.log.info({ uid: request.uid, kind, namespace: request.namespace, name: meta.name ?? meta.generateName, result: "gated" }, "job gated for asynchronous sizing");
  return { kind, result: "patched", ops, warnings: [] };
}

function regarding(request: AdmissionRequest, meta: ObjectMeta) {
  const object = request.object as { apiVersion?: string; kind?: string };
  return {
    apiVersion: object.apiVersion ?? `${request.kind.group}/${request.kind.version}`,
    kind: object.kind ?? request.kind.kind,
    namespace: request.namespace ?? "default",
    name: meta.name ?? meta.generateName ?? "",
  };
}

function unreadable(request: AdmissionRequest, deps: AdmitDeps, kind: string, meta: ObjectMeta, reason: string): AdmitOutcome {
  deps.log.warn({ uid: request.uid, kind, namespace: request.namespace, name: meta.name ?? meta.generateName, reason, code: "JOB_UNREADABLE" }, "job admitted unchanged: cannot read it");
  if (!request.dryRun && deps.events && request.namespace) {
    void deps.events.record({ regarding: regarding(request, meta), type: "Warning", reason: "RightsizingSkipped", message: `admitted unchanged: ${reason}` });
  }
  return { kind, result: "unreadable", ops: [], warnings: [warning(`job admitted unchanged: ${reason}`)] };
}

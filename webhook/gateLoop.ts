/**
 * The asynchronous half of the ADO path (spec admission-autoconf.md §2.4, §5.4): Kueue-queued PyTorchJobs
 * admitted with our admission gate (gate.ts) are sized here, on the leader, once ADO answers, and the gate
 * is removed in the same patch, so Kueue builds the Workload from the sized spec.
 *
 * One pass (`step`): list the jobs labelled pending; submit the new ones to ADO (request id kept in the
 * store); poll the others; on an answer, or once `adoGateMaxWaitMs` has passed (the embedded model answers
 * then), patch the job once: resize, recommendation annotation, done labels, gate removal guarded by a
 * `test` op. A job is never left gated for good: one that stays unreadable for the wait, or whose patch
 * keeps failing for twice the wait, is released unchanged with a Warning event; one whose gate someone
 * else removed is only marked done (Kueue may be running it).
 */
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { z } from "zod";
import type { SizingLimits, SizingResult, TuningInputs } from "../core/sizing/types.js";
import type { Clock } from "../platform/clock.js";
import { isNotFound, KubeApiError } from "../platform/kube/errors.js";
import { unrefWait } from "../platform/kube/leader.js";
import type { CustomObject, CustomObjects, EventRecorder, GroupVersionResource } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import type { PendingRightsizing, PendingRightsizingEntry } from "../platform/store/pendingRightsizing.js";
import type { WebhookConfig } from "./config.js";
import { ADMISSION_GATED_BY, annotationOf, annotationPointer, hasGate, PENDING_SELECTOR, RIGHTSIZING_LABEL, releaseGate } from "./gate.js";
import type { GateLoopMetrics, GateOutcome } from "./gateMetrics.js";
import type { ConfigMapSource } from "./mountedFiles.js";
import { pytorchJobMutator } from "./mutators/pytorchjob.js";
import type { AdoRecommender } from "./recommenders/ado.js";
import { FALLBACK_ON } from "./recommenders/fallback.js";
import type { Recommender, RecommenderAnswer } from "./recommenders/types.js";
import { metadataOf, readAdmittedJob, sizedObject, type AdmittedJob } from "./sizing.js";

const { compare } = fastJsonPatch;

export const PYTORCHJOBS: GroupVersionResource = { group: "kubeflow.org", version: "v1", plural: "pytorchjobs" };
/** Kueue re-evaluates gated Workloads on change; 2 s keeps the added latency small against ADO's seconds. */
export const DEFAULT_GATE_INTERVAL_MS = 2_000;

export interface GateLoopDeps {
  customObjects: CustomObjects;
  events: EventRecorder;
  store: PendingRightsizing;
  ado: Pick<AdoRecommender, "submit" | "poll">;
  /** The embedded model: answers when ADO cannot, or not within `adoGateMaxWaitMs`. */
  fallback: Recommender;
  config: WebhookConfig;
  clock: Clock;
  log: Logger;
  metrics?: GateLoopMetrics;
  /** Mounted ConfigMaps, read as the webhook reads them. */
  configMaps?: ConfigMapSource;
}

/** Counts of one pass, by what happened to each job (or stale row). */
export type StepReport = { listed: number } & Record<GateOutcome, number>;

/** What the store's `inputs` column holds for a gated job: enough to poll ADO statelessly after a restart. */
const StoredRequest = z.object({
  uid: z.string().optional(),
  inputs: z.looseObject({ modelName: z.string(), gpuModel: z.string(), requestedGpus: z.number() }),
  limits: z.looseObject({ policy: z.enum(["min-gpus", "avoid-oom"]), maxGpus: z.number(), gpusPerNode: z.number() }),
});
interface StoredRequest {
  uid?: string;
  inputs: TuningInputs;
  limits: SizingLimits;
}

interface Row {
  entry: PendingRightsizingEntry;
  request: StoredRequest;
}

type Resolution =
  | { kind: "answer"; job: AdmittedJob; answer: RecommenderAnswer }
  /** Gate removed without sizing: the job does not read, its sized patch kept being refused, or someone else took our gate out. */
  | { kind: "release"; why: "unreadable" | "stuck" | "ungated"; reason: string };

interface JobRef {
  object: CustomObject;
  namespace: string;
  name: string;
  log: Logger;
}

export class RightsizingGateLoop {
  constructor(private readonly deps: GateLoopDeps) {}

  /** One reconcile pass. Never throws: a job's failure is logged, counted, and the others proceed. */
  async step(): Promise<StepReport> {
    const report: StepReport = { listed: 0, submitted: 0, pending: 0, patched: 0, "no-recommendation": 0, unreadable: 0, "given-up": 0, conflict: 0, gone: 0, error: 0 };
    const count = (outcome: GateOutcome) => {
      report[outcome] += 1;
      this.deps.metrics?.outcomes.labels(outcome).inc();
    };
    let jobs: CustomObject[];
    try {
      jobs = await this.deps.customObjects.list(PYTORCHJOBS, { labelSelector: PENDING_SELECTOR });
    } catch (err) {
      this.deps.log.error({ err, code: "KUBE_API" }, "cannot list gated jobs; retrying next pass");
      count("error");
      return report;
    }
    report.listed = jobs.length;
    const seen = new Set<string>();
    for (const object of jobs) {
      const meta = metadataOf(object);
      const namespace = meta.namespace ?? "";
      const name = meta.name ?? "";
      seen.add(`${namespace}/${name}`);
      const log = this.deps.log.child({ kind: "PyTorchJob", namespace, name });
      try {
        count(await this.reconcile({ object, namespace, name, log }));
      } catch (err) {
        log.error({ err }, "gated job not reconciled; retrying next pass");
        count("error");
      }
    }
    await this.dropStaleRows(seen, count);
    return report;
  }

  /** Passes every `intervalMs` until `signal` aborts (leadership lost, shutdown). */
  async run(signal: AbortSignal, intervalMs = DEFAULT_GATE_INTERVAL_MS): Promise<void> {
    this.deps.log.info({ durationMs: intervalMs }, "rightsizing gate loop started");
    while (!signal.aborted) {
      await this.step();
      await unrefWait(intervalMs, signal);
    }
    this.deps.log.info("rightsizing gate loop stopped");
  }

  private async reconcile(ref: JobRef): Promise<GateOutcome> {
    const { store, config, clock } = this.deps;
    if (!hasGate(annotationOf(ref.object, ADMISSION_GATED_BY))) {
      // Kueue may admit the job from now on; resizing it under a running Workload is not ours to do.
      return this.resolve(ref, this.rowFor(ref, undefined), { kind: "release", why: "ungated", reason: "admission gate removed before the job was sized; left unchanged" });
    }
    const read = await readAdmittedJob(pytorchJobMutator, ref.object, ref.namespace, this.deps);
    const row = this.rowFor(ref, read.ok ? read.job : undefined);
    if (!read.ok) {
      // It read at CREATE (or it would not be gated): a ConfigMap that failed to load reads as absent, so wait a while.
      if (ageMs(ref.object, clock.nowMs()) < config.adoGateMaxWaitMs) {
        ref.log.warn({ reason: read.reason }, "gated job does not read; retrying next pass");
        return "pending";
      }
      return this.resolve(ref, row, { kind: "release", why: "unreadable", reason: `admitted unchanged: ${read.reason}` });
    }
    const { inputs } = read.job.reading;

    if (row === undefined) {
      const submission = await this.deps.ado.submit(inputs, read.job.limits);
      const uid = uidOf(ref.object);
      const request: StoredRequest = { ...(uid !== undefined && { uid }), inputs, limits: read.job.limits };
      const entry: PendingRightsizingEntry = {
        namespace: ref.namespace,
        name: ref.name,
        kind: "PyTorchJob",
        adoRequestId: submission.ok ? submission.requestId : null,
        inputs: request,
        createdMs: clock.nowMs(),
      };
      // Stored even when ADO refused: the row's age bounds how long a patch may keep failing.
      store.upsert(entry);
      if (!submission.ok) {
        const answer = await this.answerFrom(read.job, submission.result, "submit-failed");
        return this.resolve(ref, { entry, request }, { kind: "answer", job: read.job, answer });
      }
      ref.log.info({ requestId: submission.requestId, recommender: "ado" }, "gated job submitted to ADO");
      await this.event(ref, "Normal", "ADORequestSubmitted", `ADO request ${submission.requestId} submitted; the job stays gated until it is sized`);
      return "submitted";
    }

    const waitedMs = clock.nowMs() - row.entry.createdMs;
    if (waitedMs >= 2 * config.adoGateMaxWaitMs) {
      // Answers come by adoGateMaxWaitMs at the latest; a row this old means its patches keep failing.
      return this.resolve(ref, row, { kind: "release", why: "stuck", reason: `not sized within ${waitedMs} ms; admitted unchanged` });
    }
    if (row.entry.adoRequestId === null) {
      const answer = await this.answerFrom(read.job, { ok: false, code: "recommender-unavailable", reason: "ADO autoconf: request not submitted" }, "submit-failed");
      return this.resolve(ref, row, { kind: "answer", job: read.job, answer });
    }
    const requestId = row.entry.adoRequestId;
    const polled = await this.deps.ado.poll(requestId, row.request.inputs, row.request.limits);
    // `recommender-unavailable` on a poll may be transient (network, 5xx): the same id is polled again.
    const waiting = polled.status === "pending" || (!polled.result.ok && polled.result.code === "recommender-unavailable");
    if (waiting && waitedMs < config.adoGateMaxWaitMs) {
      ref.log.debug({ requestId, durationMs: waitedMs }, "ADO request pending");
      return "pending";
    }
    const result: SizingResult =
      polled.status === "pending"
        ? { ok: false, code: "recommender-unavailable", reason: `ADO autoconf: request ${requestId} still pending after ${waitedMs} ms (--ado-gate-max-wait-ms ${config.adoGateMaxWaitMs})` }
        : polled.result;
    const answer = await this.answerFrom(read.job, result, waiting ? "timed-out" : "ado-failed");
    return this.resolve(ref, row, { kind: "answer", job: read.job, answer });
  }

  /** ADO's result stands unless it is a failure the embedded model may answer instead (as FallbackRecommender). */
  private async answerFrom(job: AdmittedJob, result: SizingResult, why: "submit-failed" | "timed-out" | "ado-failed"): Promise<RecommenderAnswer> {
    if (result.ok || !FALLBACK_ON.has(result.code)) return { result, recommender: "ado" };
    this.deps.metrics?.fallbacks.labels(why).inc();
    const deadlineMs = this.deps.clock.nowMs() + this.deps.config.adoDeadlineMs;
    const second = await this.deps.fallback.recommend(job.reading.inputs, job.limits, deadlineMs);
    return { result: second.result, recommender: second.recommender, fallback: { from: "ado", reason: result.reason } };
  }

  /**
   * The one patch that ends the gate. Refused because the job changed under us (422 from the `test` op,
   * or 409): the row stays and the next pass retries from the fresh object. Job gone (404): row dropped.
   */
  private async resolve(ref: JobRef, row: Row | undefined, resolution: Resolution): Promise<GateOutcome> {
    const { object, namespace, name, log } = ref;
    const after =
      resolution.kind === "answer"
        ? sizedObject(pytorchJobMutator, resolution.job.located, resolution.job, resolution.answer, this.deps.config)
        : structuredClone(object);
    releaseGate(after);
    const ops: Operation[] = compare(object, after);
    const gates = annotationOf(object, ADMISSION_GATED_BY);
    if (gates !== undefined) ops.unshift({ op: "test", path: annotationPointer(ADMISSION_GATED_BY), value: gates });
    try {
      await this.deps.customObjects.jsonPatch(PYTORCHJOBS, namespace, name, ops);
    } catch (err) {
      if (isNotFound(err)) {
        this.deps.store.delete(namespace, name);
        log.info({ reason: "deleted" }, "gated job gone; pending row dropped");
        return "gone";
      }
      if (err instanceof KubeApiError && (err.statusCode === 422 || err.statusCode === 409)) {
        log.info({ err }, "gated job changed while being sized; retrying next pass");
        return "conflict";
      }
      throw err;
    }
    this.deps.store.delete(namespace, name);
    const outcome = this.outcomeOf(resolution);
    if (row) this.deps.metrics?.gatedDuration.labels(outcome).observe((this.deps.clock.nowMs() - row.entry.createdMs) / 1000);
    if (resolution.kind === "release") {
      log.warn({ reason: resolution.reason, ...(resolution.why === "unreadable" && { code: "JOB_UNREADABLE" }) }, "gate removed without sizing");
      await this.event(ref, "Warning", "RightsizingSkipped", resolution.reason);
      return outcome;
    }
    const { result, recommender } = resolution.answer;
    if (result.ok) {
      log.info({ recommender, gpus: result.recommendation.gpusPerWorker, workers: result.recommendation.workers, reason: result.reason }, "gated job sized; gate removed");
    } else {
      log.warn({ recommender, code: result.code, reason: result.reason }, "no recommendation for gated job; gate removed");
    }
    await this.event(ref, result.ok ? "Normal" : "Warning", result.ok ? "PatchedWithRecommendations" : "NoRecommendationAvailable", result.reason);
    return outcome;
  }

  private outcomeOf(resolution: Resolution): GateOutcome {
    if (resolution.kind === "release") return resolution.why === "unreadable" ? "unreadable" : "given-up";
    return resolution.answer.result.ok ? "patched" : "no-recommendation";
  }

  /** The job's row, or undefined when there is none or it is for another job (recreated, edited, unparseable). */
  private rowFor(ref: JobRef, job: AdmittedJob | undefined): Row | undefined {
    const entry = this.deps.store.get(ref.namespace, ref.name);
    if (entry === undefined) return undefined;
    const parsed = StoredRequest.safeParse(entry.inputs);
    const stale =
      !parsed.success ||
      (parsed.data.uid !== undefined && parsed.data.uid !== uidOf(ref.object)) ||
      (job !== undefined && (canonicalJson(parsed.data.inputs) !== canonicalJson(job.reading.inputs) || canonicalJson(parsed.data.limits) !== canonicalJson(job.limits)));
    // Checked above for the fields poll needs; the rest is what this code stored.
    if (!stale) return { entry, request: entry.inputs as StoredRequest };
    ref.log.info({ reason: "stale" }, "pending row is for another version of the job; starting again");
    this.deps.store.delete(ref.namespace, ref.name);
    return undefined;
  }

  /** Rows whose job is gone, or no longer pending (sized by another leader, label removed by hand). */
  private async dropStaleRows(seen: ReadonlySet<string>, count: (o: GateOutcome) => void): Promise<void> {
    let rows: PendingRightsizingEntry[];
    try {
      rows = this.deps.store.list();
    } catch (err) {
      this.deps.log.error({ err }, "cannot list pending rows");
      count("error");
      return;
    }
    for (const row of rows) {
      if (seen.has(`${row.namespace}/${row.name}`)) continue;
      const log = this.deps.log.child({ kind: row.kind, namespace: row.namespace, name: row.name });
      try {
        const object = await this.deps.customObjects.get(PYTORCHJOBS, row.namespace, row.name);
        const labels = metadataOf(object).labels ?? {};
        // Listed after our list call: it is still ours.
        if (object !== undefined && labels[RIGHTSIZING_LABEL] === "pending") continue;
        this.deps.store.delete(row.namespace, row.name);
        log.info({ reason: object === undefined ? "deleted" : "not-pending" }, "pending row dropped");
        count("gone");
      } catch (err) {
        log.error({ err }, "pending row not checked; retrying next pass");
        count("error");
      }
    }
  }

  private async event(ref: JobRef, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const uid = uidOf(ref.object);
    const apiVersion = typeof ref.object.apiVersion === "string" ? ref.object.apiVersion : "kubeflow.org/v1";
    await this.deps.events.record({
      regarding: { apiVersion, kind: "PyTorchJob", namespace: ref.namespace, name: ref.name, ...(uid !== undefined && { uid }) },
      type,
      reason,
      message,
    });
  }
}

/** Time since the job was created; a missing or unparseable creationTimestamp counts as old. */
function ageMs(object: unknown, nowMs: number): number {
  const created = Date.parse(String((metadataOf(object) as { creationTimestamp?: unknown }).creationTimestamp));
  return Number.isNaN(created) ? Number.POSITIVE_INFINITY : nowMs - created;
}

function uidOf(object: unknown): string | undefined {
  const uid = (metadataOf(object) as { uid?: unknown }).uid;
  return typeof uid === "string" && uid !== "" ? uid : undefined;
}

/** JSON with object keys sorted, so a stored copy and a fresh reading compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The learner (issue 4): the learned runtime model is taught by jobs that finish, with no manual
 * `/v1/observe` calls. Leader only; one pass (`step`) every `periodMs`:
 *  1. list every PyTorchJob;
 *  2. for each running one, sample from the cluster view the job types sharing its nodes and the
 *     product of its master pod's node, and remember them (memory + SQLite);
 *  3. for each finished one not decided yet, decide once: observe it through the scoring store (the
 *     durable path the API uses) with what was sampled, or record why it teaches nothing;
 *  4. forget the rows of jobs no longer listed.
 *
 * Why polling and not a watch: a finished job stays listed until it is deleted (ttlSecondsAfterFinished,
 * a day in our fixtures), so a missed poll or a restart loses nothing, and each pass is idempotent
 * (decided uids are skipped), which makes a resync-free loop correct. The cost is one list per period.
 * A job deleted within one period of finishing is never seen finished.
 */
import type { ScoringStore } from "../scoring/store.js";
import { isScoringInputError } from "../../core/scoring/index.js";
import { mergeColocated, placementSample, readJobRun, runVerdict, type JobRun, type RunVerdict } from "../../core/learning/index.js";
import type { Clock } from "../../platform/clock.js";
import type { ClusterView } from "../../platform/kube/clusterView.js";
import { unrefWait, type Wait } from "../../platform/kube/leader.js";
import type { CustomObject, CustomObjects, GroupVersionResource } from "../../platform/kube/ports.js";
import type { Logger } from "../../platform/log.js";
import { LearnerConfig, type LearnerConfigInput } from "./config.js";
import type { LearnerMetrics, LearnerOutcome } from "./metrics.js";
import type { LearnerRun, LearnerRuns } from "./runs.js";

export const PYTORCHJOBS: GroupVersionResource = { group: "kubeflow.org", version: "v1", plural: "pytorchjobs" };

export interface LearnerDeps {
  customObjects: Pick<CustomObjects, "list">;
  view: Pick<ClusterView, "podsOfJob" | "capacity">;
  /** The durable observe path: journal row and model update in one transaction. */
  scoring: Pick<ScoringStore, "observe">;
  /** Over the scoring store's database, so an observation and its run's outcome commit together. */
  runs: LearnerRuns;
  /** The annotation the webhook writes its recommendation to (webhook.recommendationAnnotation). */
  recommendationAnnotation: string;
  clock: Clock;
  log: Logger;
  metrics?: LearnerMetrics;
  /** Between passes; tests pass one that returns at once or aborts. */
  wait?: Wait;
  config?: LearnerConfigInput;
}

/** Counts of one pass. */
export interface LearnerStepReport {
  listed: number;
  /** Running jobs whose sample changed what is remembered. */
  sampled: number;
  observed: number;
  failedRuns: number;
  skipped: number;
  /** Rows of jobs no longer listed. */
  pruned: number;
  errors: number;
}

export class Learner {
  readonly #deps: LearnerDeps;
  readonly #config: LearnerConfig;
  readonly #wait: Wait;
  /** uid → row, loaded from SQLite on the first pass; written through, updated after each commit. */
  #runs: Map<string, LearnerRun> | undefined;

  constructor(deps: LearnerDeps) {
    this.#deps = deps;
    this.#config = LearnerConfig.parse(deps.config ?? {});
    this.#wait = deps.wait ?? unrefWait;
  }

  /** Passes every `periodMs` until `leadership.signal` aborts (leadership lost, shutdown). */
  async run(leadership: { signal: AbortSignal }): Promise<void> {
    const { signal } = leadership;
    if (!this.#config.enabled) {
      this.#deps.log.info({ reason: "extender.learner.enabled is false" }, "learner not started");
      return;
    }
    this.#deps.log.info({ durationMs: this.#config.periodMs }, "learner started");
    while (!signal.aborted) {
      await this.step(signal);
      await this.#wait(this.#config.periodMs, signal);
    }
    this.#deps.log.info("learner stopped");
  }

  /**
   * One pass. Never throws: a failed list or write is logged, counted and retried on the next pass.
   * Everything after the list is synchronous, so two passes (an old leadership's last and a new one's
   * first) cannot interleave their decisions.
   */
  async step(signal?: AbortSignal): Promise<LearnerStepReport> {
    const report: LearnerStepReport = { listed: 0, sampled: 0, observed: 0, failedRuns: 0, skipped: 0, pruned: 0, errors: 0 };
    const { log, metrics, clock } = this.#deps;
    let objects: CustomObject[];
    try {
      objects = await this.#deps.customObjects.list(PYTORCHJOBS, {});
    } catch (err) {
      log.error({ err, code: "KUBE_API", operation: "list" }, "cannot list PyTorchJobs; retrying next poll");
      return this.#error(report, "list");
    }
    // Leadership ended during the list: the next leader decides from its own pass.
    if (signal?.aborted) return report;
    metrics?.lastPoll.set(clock.nowMs() / 1000);
    report.listed = objects.length;
    let runs: Map<string, LearnerRun>;
    try {
      runs = this.#loaded();
    } catch (err) {
      log.error({ err, operation: "load" }, "cannot read learner runs; retrying next poll");
      return this.#error(report, "store");
    }

    const listed = new Set<string>();
    const samples: LearnerRun[] = [];
    for (const object of objects) {
      const reading = readJobRun(object, { recommendationAnnotation: this.#deps.recommendationAnnotation });
      if (!reading.ok) {
        log.warn({ code: "JOB_UNREADABLE", kind: "PyTorchJob", reason: reading.reason }, "listed PyTorchJob unreadable; not learned from");
        this.#count(report, { outcome: "skipped", reason: "unreadable" });
        continue;
      }
      const job = reading.run;
      listed.add(job.uid);
      const known = runs.get(job.uid);
      if (known?.outcome !== undefined) continue;
      if (job.state === "running") {
        const sampled = this.#sample(job, known);
        if (sampled) samples.push(sampled);
        continue;
      }
      const verdict = runVerdict(job, known ?? freshRun(job, 0));
      if (verdict !== undefined) this.#decide(runs, job, known, verdict, report);
    }
    this.#keep(runs, samples, listed, report);
    metrics?.trackedRuns.set(runs.size);
    return report;
  }

  #loaded(): Map<string, LearnerRun> {
    this.#runs ??= new Map(this.#deps.runs.all().map((r) => [r.uid, r]));
    return this.#runs;
  }

  /** The row as it should be after this sample; undefined when nothing changed (no write). */
  #sample(job: JobRun, known: LearnerRun | undefined): LearnerRun | undefined {
    const { view, clock } = this.#deps;
    const pods = view.podsOfJob(job.namespace, job.name);
    // Running but no bound GPU pod in the view yet (pods starting, or the view is not fed): nothing to learn from.
    if (pods.length === 0) return undefined;
    const sample = placementSample(pods, (name) => view.capacity(name));
    const base = known ?? freshRun(job, clock.nowMs());
    const colocatedJobTypes = mergeColocated(base.colocatedJobTypes, sample.colocatedJobTypes);
    const gpuType = sample.gpuType ?? base.gpuType;
    const unchanged =
      known?.sampledMs !== undefined && gpuType === known.gpuType && colocatedJobTypes.join("\u0000") === known.colocatedJobTypes.join("\u0000");
    if (unchanged) return undefined;
    return { ...base, colocatedJobTypes, gpuType, sampledMs: base.sampledMs ?? clock.nowMs(), updatedMs: clock.nowMs() };
  }

  /** Decides a finished run once; its row is written in the same transaction as its observation. */
  #decide(runs: Map<string, LearnerRun>, job: JobRun, known: LearnerRun | undefined, verdict: RunVerdict, report: LearnerStepReport): void {
    const { log: root, scoring, clock } = this.#deps;
    const log = root.child({ uid: job.uid, namespace: job.namespace, name: job.name });
    const base = { ...(known ?? freshRun(job, clock.nowMs())), updatedMs: clock.nowMs() };
    if (verdict.kind === "observe") {
      const colocated = verdict.observation.colocatedJobTypes?.length ?? 0;
      const decided: LearnerRun = { ...base, outcome: "observed", reason: colocated > 0 ? "colocated" : "solo" };
      try {
        const saved = this.#deps.runs.transaction(() => {
          // The row first, then the observation: a write that fails after observe() would leave the model
          // (in memory) ahead of SQLite; a failing first write never reaches the model.
          this.#deps.runs.save(decided);
          const recorded = scoring.observe(verdict.observation);
          const withId = { ...decided, observationId: recorded.id };
          this.#deps.runs.save(withId);
          return withId;
        });
        runs.set(job.uid, saved);
      } catch (err) {
        if (!isScoringInputError(err)) {
          log.error({ err, operation: "observe" }, "run not observed; retrying next poll");
          this.#error(report, "observe");
          return;
        }
        // The model refuses this input for good (e.g. a runtime above MAX_RUNTIME_S): remember that, do not retry.
        this.#final(runs, { ...base, outcome: "skipped", reason: "rejected" }, { outcome: "skipped", reason: "rejected" }, report, log, `${err.field}: ${err.message}`);
        return;
      }
      this.#count(report, { outcome: "observed", reason: colocated > 0 ? "colocated" : "solo" });
      const { jobType, gpuType, runtimeS } = verdict.observation;
      log.info({ result: `${jobType} on ${gpuType}: ${runtimeS} s, ${colocated} co-located job types` }, "finished run observed");
      return;
    }
    const outcome: LearnerOutcome = verdict.kind === "failed-run" ? { outcome: "failed-run", reason: verdict.reason } : { outcome: "skipped", reason: verdict.reason };
    this.#final(runs, { ...base, outcome: outcome.outcome, reason: outcome.reason }, outcome, report, log, verdict.detail);
  }

  /** Records a run that teaches nothing, so it is counted once and never looked at again. */
  #final(runs: Map<string, LearnerRun>, decided: LearnerRun, outcome: LearnerOutcome, report: LearnerStepReport, log: Logger, detail: string): void {
    try {
      this.#deps.runs.save(decided);
    } catch (err) {
      log.error({ err, operation: "store" }, "run outcome not recorded; retrying next poll");
      this.#error(report, "store");
      return;
    }
    runs.set(decided.uid, decided);
    this.#count(report, outcome);
    log.info({ result: `${outcome.outcome}/${outcome.reason}`, reason: detail }, "finished run not observed");
  }

  /** Writes this pass's samples and drops the rows of jobs no longer listed, in one transaction (one fsync). */
  #keep(runs: Map<string, LearnerRun>, samples: readonly LearnerRun[], listed: ReadonlySet<string>, report: LearnerStepReport): void {
    const gone = [...runs.keys()].filter((uid) => !listed.has(uid));
    if (samples.length === 0 && gone.length === 0) return;
    try {
      this.#deps.runs.transaction(() => {
        for (const run of samples) this.#deps.runs.save(run);
        for (const uid of gone) this.#deps.runs.delete(uid);
      });
    } catch (err) {
      this.#deps.log.error({ err, operation: "store" }, "learner samples not saved; sampling again next poll");
      this.#error(report, "store");
      return;
    }
    for (const run of samples) runs.set(run.uid, run);
    for (const uid of gone) runs.delete(uid);
    report.sampled += samples.length;
    report.pruned += gone.length;
  }

  #count(report: LearnerStepReport, o: LearnerOutcome): void {
    if (o.outcome === "observed") report.observed++;
    else if (o.outcome === "failed-run") report.failedRuns++;
    else report.skipped++;
    this.#deps.metrics?.count(o);
  }

  #error(report: LearnerStepReport, operation: "list" | "observe" | "store"): LearnerStepReport {
    report.errors++;
    this.#deps.metrics?.errors.labels(operation).inc();
    return report;
  }
}

function freshRun(job: JobRun, nowMs: number): LearnerRun {
  return {
    uid: job.uid,
    namespace: job.namespace,
    name: job.name,
    colocatedJobTypes: [],
    gpuType: undefined,
    sampledMs: undefined,
    outcome: undefined,
    reason: undefined,
    observationId: undefined,
    updatedMs: nowMs,
  };
}

/**
 * A learner over real parts: the in-memory Kubernetes adapters holding PyTorchJobs, a cluster view
 * fed by hand, and the scoring state on a SQLite file in a temp dir. `restart()` closes the store and
 * builds everything that lives in the process again over the same file, as a pod restart would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { Learner, LearnerMetrics, LearnerRuns, PYTORCHJOBS, type LearnerDeps } from "../../../extender/learner/index.js";
import { openScoringState, type ScoringState } from "../../../extender/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { ClusterView } from "../../../platform/kube/clusterView.js";
import { memoryAdapters, type MemoryKubePorts } from "../../../platform/kube/memory.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { fixtureJob, jobStatus, type RunStage, type StatusOptions } from "../../builders/jobRuns.js";

export const ANNOTATION = "ado-autoconf.ibm.com/recommendation";
export const H100 = "NVIDIA-H100-80GB-HBM3";
export const A100 = "NVIDIA-A100-SXM4-80GB";
const silentLog = createLogger({ level: "silent" });

export class LearnerFixture {
  readonly dir = mkdtempSync(join(tmpdir(), "steward-learner-"));
  readonly clock = new ManualClock(Date.parse("2025-03-01T14:00:00Z"));
  readonly kube: MemoryKubePorts = memoryAdapters(silentLog, this.clock, { podName: "steward-0" });
  readonly view = new ClusterView();
  registry!: Registry;
  store!: Store;
  scoring!: ScoringState;
  runs!: LearnerRuns;
  learner!: Learner;

  constructor(private readonly overrides: Partial<LearnerDeps> = {}) {
    this.view.upsertNode({ metadata: { name: "h100-a", labels: { "nvidia.com/gpu.product": H100 } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
    this.view.upsertNode({ metadata: { name: "h100-b", labels: { "nvidia.com/gpu.product": H100 } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
    this.view.upsertNode({ metadata: { name: "a100-a", labels: { "nvidia.com/gpu.product": A100 } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
    this.open();
  }

  private open(): void {
    this.registry = new Registry();
    this.store = openStore(join(this.dir, "steward.db"), silentLog);
    this.scoring = openScoringState(this.store.db, this.clock, silentLog, { timer: false });
    this.runs = new LearnerRuns(this.store.db);
    this.learner = new Learner({
      customObjects: this.kube.customObjects,
      view: this.view,
      scoring: this.scoring.store,
      runs: this.runs,
      recommendationAnnotation: ANNOTATION,
      clock: this.clock,
      log: silentLog,
      metrics: new LearnerMetrics(this.registry),
      ...this.overrides,
    });
  }

  /** Process restart: final checkpoint, store closed, everything in memory built again from the file. */
  restart(): void {
    this.close();
    this.open();
  }

  close(): void {
    this.scoring.close();
    this.store.close();
  }

  dispose(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Creates a fixture PyTorchJob at `stage`; returns its uid. */
  addJob(name: string, stage: RunStage, opts: { file?: string; labels?: Record<string, string>; annotations?: Record<string, string>; status?: StatusOptions } = {}): string {
    const object = fixtureJob(opts.file ?? "llama-7b-lora_pytorchjob.yaml", { name, ...(opts.labels && { labels: opts.labels }), ...(opts.annotations && { annotations: opts.annotations }) }, jobStatus(stage, opts.status));
    const created = this.kube.store.create(PYTORCHJOBS, "team-a", object);
    return (created["metadata"] as { uid: string }).uid;
  }

  setStage(name: string, stage: RunStage, status: StatusOptions = {}): void {
    this.kube.store.jsonPatch(PYTORCHJOBS, "team-a", name, [{ op: "replace", path: "/status", value: jobStatus(stage, status) }]);
  }

  deleteJob(name: string): void {
    this.kube.store.delete(PYTORCHJOBS, "team-a", name);
  }

  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const values = (await this.registry.getSingleMetric(name)?.get())?.values ?? [];
    return values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value;
  }

  journal(): Array<{ job_type: string; gpu_type: string; runtime_s: number; colocated_json: string }> {
    return this.store.db.prepare("SELECT job_type, gpu_type, runtime_s, colocated_json FROM scoring_observations ORDER BY id").all() as never;
  }
}

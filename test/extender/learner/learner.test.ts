import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Wait } from "../../../platform/kube/leader.js";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { PYTORCHJOBS } from "../../../extender/learner/index.js";
import { aJobPod, RUNTIME_S } from "../../builders/jobRuns.js";
import { A100, ANNOTATION, H100, LearnerFixture } from "./learnerFixture.js";

const LLAMA = { "gpu-steward.io/job-type": "llama-7b-lora" };
/** The llama fixture pins A100s; the kueue sample pins nothing, so its GPU type comes from the master's node. */
const UNPINNED = "kueue_sample-pytorchjob.yaml";

describe("learner", () => {
  let f: LearnerFixture;
  beforeEach(() => {
    f = new LearnerFixture();
  });
  afterEach(() => f.dispose());

  /** The job runs (sampled), then its pods end and it succeeds. */
  const runToSuccess = async (name: string, node: string, opts: Parameters<LearnerFixture["addJob"]>[2] = {}) => {
    const uid = f.addJob(name, "running", opts);
    const master = aJobPod({ job: name, replica: "master", node, ...(opts.labels?.["gpu-steward.io/job-type"] && { jobType: opts.labels["gpu-steward.io/job-type"] }) });
    f.view.upsertPod(master);
    await f.learner.step();
    f.view.upsertPod({ ...master, status: { phase: "Succeeded" } });
    f.setStage(name, "succeeded");
    return uid;
  };

  describe("a succeeded job", () => {
    it("is observed once, with its runtime and the product it pinned", async () => {
      await runToSuccess("llama", "a100-a", { labels: LLAMA });
      expect(await f.learner.step()).toMatchObject({ listed: 1, observed: 1, failedRuns: 0, skipped: 0, errors: 0 });
      expect(await f.learner.step()).toMatchObject({ listed: 1, observed: 0 });

      expect(f.scoring.model.statsOf("llama-7b-lora", A100)).toMatchObject({ meanRuntimeS: RUNTIME_S, count: 1 });
      expect(f.journal()).toEqual([{ job_type: "llama-7b-lora", gpu_type: A100, runtime_s: RUNTIME_S, colocated_json: "[]" }]);
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "observed", reason: "solo" })).toBe(1);
    });

    it("is not observed again after a restart", async () => {
      const uid = await runToSuccess("llama", "a100-a", { labels: LLAMA });
      await f.learner.step();
      f.restart();
      expect(await f.learner.step()).toMatchObject({ listed: 1, observed: 0, skipped: 0 });
      expect(f.scoring.model.statsOf("llama-7b-lora", A100)?.count).toBe(1);
      expect(f.runs.all()).toMatchObject([{ uid, outcome: "observed", reason: "solo", observationId: 1 }]);
    });

    it("takes the GPU type from its master pod's node when it pinned none", async () => {
      await runToSuccess("mnist", "h100-b", { file: UNPINNED, labels: { "gpu-steward.io/job-type": "mnist" } });
      await f.learner.step();
      expect(f.scoring.model.statsOf("mnist", H100)?.count).toBe(1);
    });

    it("derives its job type from the webhook's recommendation annotation", async () => {
      const annotation = JSON.stringify({ recommendation: { gpus: 8, workers: 1 }, inputs: { model_name: "llama-7b", method: "lora", gpu_model: A100 } });
      await runToSuccess("sized", "a100-a", { annotations: { [ANNOTATION]: annotation } });
      await f.learner.step();
      expect(f.scoring.model.statsOf("llama-7b-lora", A100)?.count).toBe(1);
    });
  });

  describe("runs that are not runtimes", () => {
    it("a failed job is not observed, and is counted once", async () => {
      f.addJob("broken", "running", { labels: LLAMA });
      f.view.upsertPod(aJobPod({ job: "broken", replica: "master", node: "a100-a" }));
      await f.learner.step();
      f.setStage("broken", "failed");
      expect(await f.learner.step()).toMatchObject({ failedRuns: 1, observed: 0 });
      await f.learner.step();
      expect(f.scoring.model.statsOf("llama-7b-lora", A100)).toBeUndefined();
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "failed-run", reason: "failed" })).toBe(1);
    });

    it("a success after an evicted pod is a failed run, not a runtime", async () => {
      f.addJob("evicted", "running", { labels: LLAMA });
      f.view.upsertPod(aJobPod({ job: "evicted", replica: "master", node: "a100-a" }));
      await f.learner.step();
      f.setStage("evicted", "succeeded", { failedPods: 1 });
      expect(await f.learner.step()).toMatchObject({ failedRuns: 1, observed: 0 });
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "failed-run", reason: "restarted" })).toBe(1);
      expect(f.journal()).toEqual([]);
    });
  });

  describe("co-location", () => {
    it("records the job types sharing a running job's nodes, durably, and observes with them", async () => {
      // A solo baseline, so the co-located run teaches a slowdown (core/scoring: interference learning).
      f.scoring.store.observe({ jobType: "llama-7b-lora", gpuType: H100, runtimeS: 3_600 });
      const uid = f.addJob("llama", "running", { file: UNPINNED, labels: LLAMA });
      f.view.upsertPod(aJobPod({ job: "llama", replica: "master", node: "h100-a", jobType: "llama-7b-lora" }));
      f.view.upsertPod(aJobPod({ job: "llama", replica: "worker", node: "h100-b", jobType: "llama-7b-lora" }));
      f.view.upsertPod(aJobPod({ job: "bert", replica: "master", node: "h100-b", jobType: "bert-full" }));
      f.view.upsertPod(aJobPod({ job: "other", replica: "master", node: "a100-a", jobType: "resnet" }));
      expect(await f.learner.step()).toMatchObject({ sampled: 1 });
      expect(f.runs.all()).toMatchObject([{ uid, colocatedJobTypes: ["bert-full"], gpuType: H100, outcome: undefined }]);

      // A second llama job joins on the master's node; bert leaves. Both were seen while it ran.
      f.view.deletePod(aJobPod({ job: "bert", replica: "master", node: "h100-b" }));
      f.view.upsertPod(aJobPod({ job: "llama-2", replica: "master", node: "h100-a", jobType: "llama-7b-lora" }));
      expect(await f.learner.step()).toMatchObject({ sampled: 1 });
      expect(await f.learner.step()).toMatchObject({ sampled: 0 });

      // The samples survive a restart; the job's pods are gone by the time it is seen finished.
      f.restart();
      for (const replica of ["master", "worker"] as const) f.view.deletePod(aJobPod({ job: "llama", replica, node: "h100-a" }));
      f.setStage("llama", "succeeded");
      expect(await f.learner.step()).toMatchObject({ observed: 1 });

      expect(f.journal()).toEqual([{ job_type: "llama-7b-lora", gpu_type: H100, runtime_s: RUNTIME_S, colocated_json: JSON.stringify(["bert-full", "llama-7b-lora"]) }]);
      // (5400 − 3600) / 3600 = 0.5 slowdown, learned at rate 0.1 for each co-located type; the solo stats are untouched.
      expect(f.scoring.model.interferencePenalty("llama-7b-lora", ["bert-full"])).toBeCloseTo(0.05);
      expect(f.scoring.model.statsOf("llama-7b-lora", H100)).toMatchObject({ meanRuntimeS: 3_600, count: 1 });
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "observed", reason: "colocated" })).toBe(1);
    });

    it("a job first seen finished is skipped: what shared its nodes is unknown", async () => {
      f.addJob("early", "succeeded", { labels: LLAMA });
      expect(await f.learner.step()).toMatchObject({ skipped: 1, observed: 0 });
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "skipped", reason: "not-sampled" })).toBe(1);
    });

    it("a running job with no pod in the view yet is not sampled", async () => {
      f.addJob("starting", "running", { labels: LLAMA });
      expect(await f.learner.step()).toMatchObject({ sampled: 0 });
      expect(f.runs.all()).toEqual([]);
    });
  });

  describe("skipped runs", () => {
    it.each([
      { name: "no job type", opts: { file: UNPINNED }, reason: "no-job-type" },
      { name: "no start time", opts: { labels: LLAMA, success: { startTime: undefined } }, reason: "no-runtime" },
      { name: "a completion before its start", opts: { labels: LLAMA, success: { completionTime: "2025-03-01T11:00:00Z" } }, reason: "no-runtime" },
      { name: "a runtime the model refuses (over MAX_RUNTIME_S)", opts: { labels: LLAMA, success: { startTime: "1990-01-01T00:00:00Z", completionTime: "2025-03-01T13:30:00Z" } }, reason: "rejected" },
    ])("a job with $name is skipped and counted once", async ({ opts, reason }) => {
      const { success, ...job } = opts as { file?: string; labels?: Record<string, string>; success?: Record<string, string | undefined> };
      const uid = await runToSuccess("job", "a100-a", job);
      if (success) f.setStage("job", "succeeded", success);
      expect(await f.learner.step()).toMatchObject({ skipped: 1, observed: 0 });
      expect(await f.learner.step()).toMatchObject({ skipped: 0 });
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "skipped", reason })).toBe(1);
      expect(f.runs.all()).toMatchObject([{ uid, outcome: "skipped", reason }]);
      expect(f.journal()).toEqual([]);
    });

    it("an object without a uid is counted as unreadable", async () => {
      f.kube.store.create(PYTORCHJOBS, "team-a", { apiVersion: "kubeflow.org/v1", kind: "PyTorchJob", metadata: { name: "odd" } });
      const list = f.kube.customObjects.list.bind(f.kube.customObjects);
      // The memory store always sets a uid; strip it as a broken proxy might.
      f.kube.customObjects.list = async (gvr, o) => (await list(gvr, o)).map((j) => ({ ...j, metadata: { name: "odd", namespace: "team-a" } }));
      expect(await f.learner.step()).toMatchObject({ listed: 1, skipped: 1 });
      expect(await f.metric("gpu_steward_learner_runs_total", { outcome: "skipped", reason: "unreadable" })).toBe(1);
    });
  });

  describe("bounds and failures", () => {
    it("forgets the rows of jobs that no longer exist", async () => {
      await runToSuccess("llama", "a100-a", { labels: LLAMA });
      f.addJob("running", "running", { labels: LLAMA });
      f.view.upsertPod(aJobPod({ job: "running", replica: "master", node: "h100-a" }));
      await f.learner.step();
      expect(f.runs.all()).toHaveLength(2);
      expect(await f.metric("gpu_steward_learner_tracked_runs")).toBe(2);

      f.deleteJob("llama");
      f.deleteJob("running");
      expect(await f.learner.step()).toMatchObject({ listed: 0, pruned: 2 });
      expect(f.runs.all()).toEqual([]);
      expect(await f.metric("gpu_steward_learner_tracked_runs")).toBe(0);
    });

    it("a failed list is counted and changes nothing; a good one sets the last poll time", async () => {
      await runToSuccess("llama", "a100-a", { labels: LLAMA });
      f.kube.store.failNext("list", PYTORCHJOBS, new KubeApiError(500, "InternalError", "etcdserver: leader changed"));
      expect(await f.learner.step()).toMatchObject({ errors: 1, listed: 0, observed: 0, pruned: 0 });
      expect(await f.metric("gpu_steward_learner_errors_total", { operation: "list" })).toBe(1);
      expect(f.runs.all()).toHaveLength(1);

      f.clock.advance(30_000);
      expect(await f.learner.step()).toMatchObject({ observed: 1 });
      expect(await f.metric("gpu_steward_learner_last_poll_timestamp_seconds")).toBe(f.clock.nowMs() / 1000);
    });

    it("an observation that cannot be written leaves the run undecided and is retried", async () => {
      let failing = true;
      f.dispose();
      const g: LearnerFixture = new LearnerFixture({
        scoring: {
          observe: (o) => {
            if (failing) throw new Error("disk I/O error");
            return g.scoring.store.observe(o);
          },
        },
      });
      f = g;
      const uid = await runToSuccess("llama", "a100-a", { labels: LLAMA });
      expect(await f.learner.step()).toMatchObject({ errors: 1, observed: 0 });
      expect(await f.metric("gpu_steward_learner_errors_total", { operation: "observe" })).toBe(1);
      // The decided row went back with the failed transaction: still sampled, not decided.
      expect(f.runs.all()).toMatchObject([{ uid, outcome: undefined }]);

      failing = false;
      expect(await f.learner.step()).toMatchObject({ observed: 1, errors: 0 });
      expect(f.runs.all()).toMatchObject([{ uid, outcome: "observed" }]);
    });
  });

  describe("run", () => {
    it("passes every period until leadership ends", async () => {
      const controller = new AbortController();
      const waits: number[] = [];
      const wait: Wait = async (ms) => {
        waits.push(ms);
        if (waits.length === 2) controller.abort();
      };
      const looping = new LearnerFixture({ wait, config: { periodMs: 10_000 } });
      try {
        await looping.learner.run({ signal: controller.signal });
        expect(waits).toEqual([10_000, 10_000]);
        expect(await looping.metric("gpu_steward_learner_last_poll_timestamp_seconds")).toBe(looping.clock.nowMs() / 1000);
      } finally {
        looping.dispose();
      }
    });

    it("does not start when switched off", async () => {
      const waits: number[] = [];
      const off = new LearnerFixture({ wait: async (ms) => void waits.push(ms), config: { enabled: false } });
      try {
        off.addJob("llama", "failed", { labels: LLAMA });
        await off.learner.run({ signal: new AbortController().signal });
        expect(waits).toEqual([]);
        expect(await off.metric("gpu_steward_learner_last_poll_timestamp_seconds")).toBe(0);
      } finally {
        off.dispose();
      }
    });
  });
});

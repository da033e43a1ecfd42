import { describe, expect, it } from "vitest";
import { mergeColocated, placementSample, readJobRun, runVerdict, type JobPod, type JobRun, type RunSamples, type SampledNode } from "../../../core/learning/index.js";
import { fixtureJob, jobStatus, RUNTIME_S, type RunStage, type StatusOptions } from "../../builders/jobRuns.js";

const run = (stage: RunStage, opts: StatusOptions = {}, labels: Record<string, string> = { "gpu-steward.io/job-type": "llama-7b-lora" }, file = "llama-7b-lora_pytorchjob.yaml"): JobRun => {
  const reading = readJobRun(fixtureJob(file, { uid: "u1", labels }, jobStatus(stage, opts)), { recommendationAnnotation: "ado-autoconf.ibm.com/recommendation" });
  if (!reading.ok) throw new Error(reading.reason);
  return reading.run;
};
const sampled: RunSamples = { sampledMs: 1_000, colocatedJobTypes: ["bert-full"], gpuType: "NVIDIA-H100-80GB-HBM3" };

describe("runVerdict", () => {
  it("observes a clean success with what was sampled; the pinned product wins over the node's", () => {
    expect(runVerdict(run("succeeded"), sampled)).toEqual({
      kind: "observe",
      observation: { jobType: "llama-7b-lora", gpuType: "NVIDIA-A100-SXM4-80GB", runtimeS: RUNTIME_S, colocatedJobTypes: ["bert-full"] },
    });
  });

  it("takes the master node's product when the job pinned none", () => {
    const verdict = runVerdict(run("succeeded", {}, { "gpu-steward.io/job-type": "mnist" }, "kueue_sample-pytorchjob.yaml"), sampled);
    expect(verdict).toMatchObject({ kind: "observe", observation: { gpuType: "NVIDIA-H100-80GB-HBM3" } });
  });

  it.each<{ name: string; job: () => JobRun; samples?: RunSamples; want: object }>([
    { name: "a failed run", job: () => run("failed"), want: { kind: "failed-run", reason: "failed" } },
    { name: "a success after a restart", job: () => run("succeeded", { restarted: true }), want: { kind: "failed-run", reason: "restarted" } },
    { name: "a success with an evicted pod", job: () => run("succeeded", { failedPods: 2 }), want: { kind: "failed-run", reason: "restarted" } },
    { name: "no job type", job: () => run("succeeded", {}, {}), want: { kind: "skip", reason: "no-job-type" } },
    { name: "no completion time", job: () => run("succeeded", { completionTime: undefined }), want: { kind: "skip", reason: "no-runtime", detail: "status.completionTime is missing" } },
    { name: "never seen running", job: () => run("succeeded"), samples: { sampledMs: undefined, colocatedJobTypes: [], gpuType: undefined }, want: { kind: "skip", reason: "not-sampled" } },
    {
      name: "no pinned product and no node product",
      job: () => run("succeeded", {}, { "gpu-steward.io/job-type": "mnist" }, "kueue_sample-pytorchjob.yaml"),
      samples: { ...sampled, gpuType: undefined },
      want: { kind: "skip", reason: "no-gpu-type" },
    },
  ])("$name teaches nothing", ({ job, samples, want }) => {
    expect(runVerdict(job(), samples ?? sampled)).toMatchObject(want);
  });

  it.each<RunStage>(["created", "running", "restarting"])("a %s job is not decided yet", (stage) => {
    expect(runVerdict(run(stage), sampled)).toBeUndefined();
  });
});

describe("placementSample", () => {
  const nodes = new Map<string, SampledNode>([
    ["n1", { product: "NVIDIA-H100-80GB-HBM3", jobTypes: new Map([["llama-7b-lora", 2], ["bert-full", 1]]) }],
    ["n2", { product: "NVIDIA-A100-SXM4-80GB", jobTypes: new Map([["llama-7b-lora", 2]]) }],
  ]);
  const pod = (nodeName: string, replicaType: string): JobPod => ({ nodeName, jobType: "llama-7b-lora", replicaType });

  it("counts other jobs' types on the job's nodes, not the job's own pods", () => {
    // n1: two llama pods, one of them ours, so another llama job shares it; n2: both llama pods are ours.
    expect(placementSample([pod("n1", "worker"), pod("n2", "master"), pod("n2", "worker")], (n) => nodes.get(n))).toEqual({
      colocatedJobTypes: ["bert-full", "llama-7b-lora"],
      gpuType: "NVIDIA-A100-SXM4-80GB",
    });
  });

  it("reads the GPU type from the master's node, else the first node by name", () => {
    expect(placementSample([pod("n2", "worker"), pod("n1", "worker")], (n) => nodes.get(n)).gpuType).toBe("NVIDIA-H100-80GB-HBM3");
    expect(placementSample([pod("n9", "master")], (n) => nodes.get(n)).gpuType).toBeUndefined();
  });

  it("is empty with no pods", () => {
    expect(placementSample([], (n) => nodes.get(n))).toEqual({ colocatedJobTypes: [], gpuType: undefined });
  });

  it("merges samples into a sorted set", () => {
    expect(mergeColocated(["b", "d"], ["c", "b", "a"])).toEqual(["a", "b", "c", "d"]);
  });
});

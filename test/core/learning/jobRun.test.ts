import { describe, expect, it } from "vitest";
import { readJobRun, type JobRun } from "../../../core/learning/index.js";
import type { RecommenderAnswer } from "../../../webhook/recommenders/types.js";
import { recommendationAnnotation } from "../../../webhook/annotation.js";
import { COMPLETED, fixtureJob, jobStatus, RUNTIME_S, STARTED, type RunStage } from "../../builders/jobRuns.js";

const ANNOTATION = "ado-autoconf.ibm.com/recommendation";
const read = (object: unknown, annotation = ANNOTATION): JobRun => {
  const reading = readJobRun(object, { recommendationAnnotation: annotation });
  if (!reading.ok) throw new Error(reading.reason);
  return reading.run;
};
const uid = "6f1c8a52-0000-4000-8000-000000000001";
const job = (file: string, stage: RunStage, id: Parameters<typeof fixtureJob>[1] = {}, opts: Parameters<typeof jobStatus>[1] = {}) => fixtureJob(file, { uid, ...id }, jobStatus(stage, opts));

/** What the webhook writes on a job it sized (webhook/annotation.ts), so the learner reads the real format. */
const sizedAnnotation = (modelName: string, method: "lora" | "full"): string => {
  const answer: RecommenderAnswer = { result: { ok: true, recommendation: { gpusPerWorker: 4, workers: 1, perDeviceBatch: 2 }, reason: "fits" }, recommender: "embedded" } as RecommenderAnswer;
  const inputs = { modelName, method, gpuModel: "NVIDIA-A100-SXM4-80GB", tokensPerSample: 8192, perDeviceBatch: 2, requestedGpus: 8, globalBatch: 16, gradientAccumulationSteps: 4 };
  return recommendationAnnotation(inputs, answer, "min-gpus", []);
};

describe("readJobRun on the fixture jobs", () => {
  it.each([
    { file: "fms-autoconf-k8s-controller_pytorchjob_full.yaml", gpuType: "NVIDIA-A100-80GB-PCIe", how: "node selector" },
    { file: "fms-autoconf-k8s-controller_pytorchjob_lora.yaml", gpuType: "NVIDIA-A100-80GB-PCIe", how: "node selector" },
    { file: "llama-7b-lora_pytorchjob.yaml", gpuType: "NVIDIA-A100-SXM4-80GB", how: "node selector" },
    { file: "fms-hf-tuning_kfto-kueue-sft-trainer.yaml", gpuType: "NVIDIA-A100-SXM4-80GB", how: "required node affinity" },
    { file: "kueue_sample-pytorchjob.yaml", gpuType: undefined, how: "nothing (the scheduler chooses)" },
  ])("$file: succeeded, 5400 s, GPU type from $how", ({ file, gpuType }) => {
    const run = read(job(file, "succeeded"));
    expect(run).toMatchObject({ uid, namespace: "team-a", state: "succeeded", restarted: false, runtime: { ok: true, runtimeS: RUNTIME_S } });
    expect(run.requestedGpuType).toBe(gpuType);
  });

  it.each<{ stage: RunStage; state: JobRun["state"] }>([
    { stage: "created", state: "pending" },
    { stage: "running", state: "running" },
    { stage: "restarting", state: "pending" },
    { stage: "succeeded", state: "succeeded" },
    { stage: "failed", state: "failed" },
  ])("conditions of a $stage job read as $state", ({ stage, state }) => {
    expect(read(job("llama-7b-lora_pytorchjob.yaml", stage)).state).toBe(state);
  });

  it("reads Failed over Succeeded when an operator left both True", () => {
    const object = job("llama-7b-lora_pytorchjob.yaml", "succeeded");
    (object.status as { conditions: unknown[] }).conditions.push({ type: "Failed", status: "True" });
    expect(read(object).state).toBe("failed");
  });

  it("reads a job without a status as pending with no runtime", () => {
    const run = read(fixtureJob("llama-7b-lora_pytorchjob.yaml", { uid }));
    expect(run).toMatchObject({ state: "pending", runtime: { ok: false, reason: "status.startTime is missing" } });
  });
});

describe("restarted runs", () => {
  it.each([
    { name: "a Restarting condition in the history", opts: { restarted: true } },
    { name: "a failed (evicted) worker pod", opts: { failedPods: 1 } },
  ])("a success after $name is marked restarted", ({ opts }) => {
    expect(read(job("llama-7b-lora_pytorchjob.yaml", "succeeded", {}, opts)).restarted).toBe(true);
  });

  it("a clean success is not", () => {
    expect(read(job("llama-7b-lora_pytorchjob.yaml", "succeeded", {}, { failedPods: 0 })).restarted).toBe(false);
  });
});

describe("runtime", () => {
  it.each([
    { name: "no start time", opts: { startTime: undefined }, reason: "status.startTime is missing" },
    { name: "no completion time", opts: { completionTime: undefined }, reason: "status.completionTime is missing" },
    { name: "an unparseable start time", opts: { startTime: "yesterday" }, reason: "status.startTime is not a time: yesterday" },
    { name: "completion before start", opts: { startTime: COMPLETED, completionTime: STARTED }, reason: `status.completionTime ${STARTED} is not after status.startTime ${COMPLETED}` },
    { name: "completion equal to start", opts: { completionTime: STARTED }, reason: `status.completionTime ${STARTED} is not after status.startTime ${STARTED}` },
  ])("$name: not observable, with the reason", ({ opts, reason }) => {
    expect(read(job("llama-7b-lora_pytorchjob.yaml", "succeeded", {}, opts)).runtime).toEqual({ ok: false, reason });
  });

  it("a malformed status field reads as absent, not as an unreadable job", () => {
    const object = job("llama-7b-lora_pytorchjob.yaml", "succeeded");
    (object.status as Record<string, unknown>).startTime = 1_740_830_400;
    expect(read(object).runtime).toEqual({ ok: false, reason: "status.startTime is missing" });
  });
});

describe("job type", () => {
  it("comes from the job's gpu-steward.io/job-type label first", () => {
    const run = read(job("llama-7b-lora_pytorchjob.yaml", "succeeded", { labels: { "gpu-steward.io/job-type": "llama-sft" }, annotations: { [ANNOTATION]: sizedAnnotation("llama-7b", "lora") } }));
    expect(run.jobType).toBe("llama-sft");
  });

  it("then from the label on a replica's pod template", () => {
    const object = job("llama-7b-lora_pytorchjob.yaml", "succeeded");
    const master = (object.spec as { pytorchReplicaSpecs: { Master: { template: { metadata: { labels: Record<string, string> } } } } }).pytorchReplicaSpecs.Master;
    master.template.metadata.labels["gpu-steward.io/job-type"] = "from-template";
    expect(read(object).jobType).toBe("from-template");
  });

  it("else from model and method in the recommendation annotation the webhook wrote", () => {
    expect(read(job("llama-7b-lora_pytorchjob.yaml", "succeeded", { annotations: { [ANNOTATION]: sizedAnnotation("llama-7b", "lora") } })).jobType).toBe("llama-7b-lora");
  });

  it("reads the annotation under the configured key", () => {
    const object = job("llama-7b-lora_pytorchjob.yaml", "succeeded", { annotations: { "example.com/rec": sizedAnnotation("granite-3.1-8b-instruct", "full") } });
    expect(read(object, "example.com/rec").jobType).toBe("granite-3.1-8b-instruct-full");
    expect(read(object).jobType).toBeUndefined();
  });

  it.each([
    { name: "no label and no annotation", annotations: undefined },
    { name: "an annotation that is not JSON", annotations: { [ANNOTATION]: "4 GPUs" } },
    { name: "an annotation without inputs", annotations: { [ANNOTATION]: JSON.stringify({ recommendation: { gpus: 4, workers: 1 } }) } },
  ])("is undefined with $name", ({ annotations }) => {
    expect(read(job("kueue_sample-pytorchjob.yaml", "succeeded", annotations ? { annotations } : {})).jobType).toBeUndefined();
  });
});

describe("requested GPU type", () => {
  const withSelectors = (master: Record<string, string> | undefined, worker: Record<string, string> | undefined) => {
    const object = job("kueue_sample-pytorchjob.yaml", "succeeded");
    const replicas = (object.spec as { pytorchReplicaSpecs: Record<string, { template: { spec: Record<string, unknown> } }> }).pytorchReplicaSpecs;
    if (master) replicas.Master!.template.spec.nodeSelector = master;
    if (worker) replicas.Worker!.template.spec.nodeSelector = worker;
    return object;
  };

  it("is the product every replica pinned", () => {
    const h100 = { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" };
    expect(read(withSelectors(h100, h100)).requestedGpuType).toBe("NVIDIA-H100-80GB-HBM3");
    expect(read(withSelectors(undefined, h100)).requestedGpuType).toBe("NVIDIA-H100-80GB-HBM3");
  });

  it("is undefined when replicas pin different products (the master's node decides)", () => {
    expect(read(withSelectors({ "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" }, { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" })).requestedGpuType).toBeUndefined();
  });

  it("is undefined when the affinity allows several products", () => {
    const object = job("fms-hf-tuning_kfto-kueue-sft-trainer.yaml", "succeeded");
    const spec = (object.spec as { pytorchReplicaSpecs: { Master: { template: { spec: { affinity: any } } } } }).pytorchReplicaSpecs.Master.template.spec;
    spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values.push("NVIDIA-H100-80GB-HBM3");
    expect(read(object).requestedGpuType).toBeUndefined();
  });
});

describe("unreadable objects", () => {
  it.each([
    { name: "no uid", object: fixtureJob("llama-7b-lora_pytorchjob.yaml"), field: "metadata.uid" },
    { name: "no metadata", object: { kind: "PyTorchJob" }, field: "metadata" },
    { name: "not an object", object: "PyTorchJob", field: "" },
  ])("$name: refused, naming the field", ({ object, field }) => {
    const reading = readJobRun(object, { recommendationAnnotation: ANNOTATION });
    expect(reading.ok).toBe(false);
    if (!reading.ok) expect(reading.reason.startsWith(`${field}:`)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { anAdmissionReview, loadDocuments, loadJob } from "../builders/reviews.js";
import { schemaErrorsAddedBy } from "../builders/crdSchema.js";
import { aHarness, applyOps, at } from "./harness.js";

const MASTER = "spec.pytorchReplicaSpecs.Master.template.spec.containers.0";
const ANNOTATION = "ado-autoconf.ibm.com/recommendation";

function script(job: unknown, prefix = MASTER): string {
  const command = at(job, `${prefix}.command`) as string[];
  return command[command.length - 1]!;
}

function annotationOf(job: unknown): Record<string, unknown> {
  return JSON.parse((at(job, "metadata.annotations") as Record<string, string>)[ANNOTATION]!);
}

describe("admit: the llama-7b LoRA job of autoconf's published example", () => {
  const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");

  it("min-gpus: sizes 8 asked GPUs down to 2 and keeps the global batch of 16", async () => {
    const h = aHarness();
    const out = await h.review(anAdmissionReview(job));
    expect(out.result).toBe("patched");
    const after = applyOps(job, out.ops);
    const resources = at(after, `${MASTER}.resources`) as { limits: Record<string, unknown>; requests: Record<string, unknown> };
    expect(resources.limits["nvidia.com/gpu"]).toBe(2);
    expect(resources.requests["nvidia.com/gpu"]).toBe(2);
    expect(resources.requests.cpu).toBe(16); // the user asked for more than 2 per GPU: kept
    expect(resources.requests.memory).toBe("400Gi");
    expect(script(after)).toMatch(/--num_processes[= ]"?2"?/);
    expect(script(after)).toMatch(/--per_device_train_batch_size "?8"?/);
    expect(script(after)).not.toMatch(/--per_device_train_batch_size "?2"?\b/);
    expect(at(after, "spec.pytorchReplicaSpecs.Worker")).toBeUndefined();
    expect(annotationOf(after)).toMatchObject({
      recommendation: { gpus: 2, workers: 1 },
      perDeviceBatch: 8,
      recommender: "embedded",
      policy: "min-gpus",
      inputs: { model_name: "llama-7b", method: "lora", gpu_model: "NVIDIA-A100-SXM4-80GB", tokens_per_sample: 8192, batch_size: 16, requested_gpus: 8 },
    });
    expect((at(after, "metadata.labels") as Record<string, string>)["autoconf-plugin-done"]).toBe("yes");
    const env = at(after, `${MASTER}.env`) as Array<{ name: string; value: string }>;
    expect(env.find((e) => e.name === "AUTOCONF_NUM_PROCESSES")?.value).toBe("2");
    expect(env.find((e) => e.name === "AUTOCONF_PER_DEVICE_BATCH_SIZE")?.value).toBe("8");
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });

  it("avoid-oom: keeps the 8 GPUs and per-device batch the user asked for, since they fit", async () => {
    const h = aHarness({ config: { policy: "avoid-oom" } });
    const out = await h.review(anAdmissionReview(job));
    const after = applyOps(job, out.ops);
    expect((at(after, `${MASTER}.resources`) as { limits: Record<string, unknown> }).limits["nvidia.com/gpu"]).toBe(8);
    expect(script(after)).toBe(script(job));
    expect(annotationOf(after)).toMatchObject({ recommendation: { gpus: 8, workers: 1 }, perDeviceBatch: 2, policy: "avoid-oom" });
  });

  it("changes nothing but resources, launcher flags, env, the done label and the annotation", async () => {
    const out = await aHarness().review(anAdmissionReview(job));
    const touched = out.ops.map((op) => op.path);
    for (const path of touched) {
      expect(path).toMatch(/^\/metadata\/(labels|annotations)|\/containers\/0\/(resources|command|env)/);
    }
  });

  it("records a Normal event and answers a dryRun the same without one", async () => {
    const h = aHarness();
    const live = await h.review(anAdmissionReview(job));
    expect(h.events).toMatchObject([{ type: "Normal", reason: "PatchedWithRecommendations", regarding: { kind: "PyTorchJob", name: "llama-7b-lora-sft", namespace: "team-a" } }]);
    const h2 = aHarness();
    const dry = await h2.review(anAdmissionReview(job, { dryRun: true }));
    expect(dry.ops).toEqual(live.ops);
    expect(h2.events).toEqual([]);
  });

  it("gives no operation the second time (done label), nor for UPDATE", async () => {
    const h = aHarness();
    const first = await h.review(anAdmissionReview(job));
    const after = applyOps(job, first.ops);
    const again = await h.review(anAdmissionReview(after));
    expect(again).toMatchObject({ result: "unchanged", ops: [] });
    const update = await h.review(anAdmissionReview(job, { operation: "UPDATE" }));
    expect(update).toMatchObject({ result: "skipped", ops: [] });
  });

  it("resizes to the same job when the done label is removed (the sizing itself is idempotent)", async () => {
    const h = aHarness();
    const after = applyOps(job, (await h.review(anAdmissionReview(job))).ops);
    const relabelled = structuredClone(after) as { metadata: { labels: Record<string, string> } };
    delete relabelled.metadata.labels["autoconf-plugin-done"];
    const again = await h.review(anAdmissionReview(relabelled));
    const ops = again.ops.filter((op) => !op.path.startsWith("/metadata/"));
    expect(ops).toEqual([]);
  });
});

describe("admit: the IBM controller's examples", () => {
  it("pytorchjob_lora: granite-8b-code-base LoRA at 512 tokens fits one A100 (8 asked)", async () => {
    const job = loadJob("jobs/fms-autoconf-k8s-controller_pytorchjob_lora.yaml");
    const out = await aHarness().review(anAdmissionReview(job));
    const after = applyOps(job, out.ops);
    expect(out.result).toBe("patched");
    expect(annotationOf(after)).toMatchObject({ recommendation: { gpus: 1, workers: 1 }, inputs: { model_name: "granite-8b-code-base", gpu_model: "NVIDIA-A100-80GB-PCIe", batch_size: 8 } });
    expect((at(after, `${MASTER}.resources`) as { limits: Record<string, unknown> }).limits["nvidia.com/gpu"]).toBe(1);
    expect((at(after, `${MASTER}.resources`) as { requests: Record<string, unknown> }).requests.cpu).toBe(2);
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });

  it("pytorchjob_full: reads peft absent as full fine-tuning", async () => {
    const job = loadJob("jobs/fms-autoconf-k8s-controller_pytorchjob_full.yaml");
    const out = await aHarness().review(anAdmissionReview(job));
    const after = applyOps(job, out.ops);
    expect(annotationOf(after)).toMatchObject({ inputs: { model_name: "granite-3.1-3b-a800m-instruct", method: "full", requested_gpus: 8, batch_size: 8 } });
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });

  it("appwrapper_lora: sizes the wrapped PyTorchJob and keeps the operator-provided machine count", async () => {
    const job = loadJob("jobs/fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const out = await aHarness({ config: { defaultGpuModel: "NVIDIA-A100-SXM4-80GB" } }).review(anAdmissionReview(job));
    expect(out.result).toBe("patched");
    const after = applyOps(job, out.ops);
    const inner = "spec.components.0.template";
    expect(script(after, `${inner}.${MASTER}`)).toContain('--num_machines="${WORLD_SIZE}"');
    expect(annotationOf(after)).toMatchObject({ recommendation: { workers: 1 }, inputs: { model_name: "granite-8b-code-base", requested_gpus: 2, batch_size: 16 } });
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });

  it("appwrapper_lora without any GPU model: admitted unchanged with a warning and a Warning event", async () => {
    const job = loadJob("jobs/fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const h = aHarness();
    const out = await h.review(anAdmissionReview(job));
    expect(out).toMatchObject({ result: "unreadable", ops: [] });
    expect(out.warnings[0]).toMatch(/no GPU model/);
    expect(out.warnings[0]!.length).toBeLessThanOrEqual(120);
    expect(h.events).toMatchObject([{ type: "Warning", reason: "RightsizingSkipped" }]);
  });

  it("declared AppWrapper podSets follow a new Worker count", async () => {
    const job = structuredClone(loadJob("jobs/fms-autoconf-k8s-controller_appwrapper_lora.yaml")) as { spec: { components: Array<Record<string, unknown>> } };
    job.spec.components[0]!.podSets = [{ replicas: 1, path: "template.spec.pytorchReplicaSpecs.Master.template" }];
    const h = aHarness({ config: { defaultGpuModel: "NVIDIA-A100-SXM4-80GB", gpusPerNode: 1, policy: "avoid-oom" } });
    const out = await h.review(anAdmissionReview(job as unknown as Record<string, unknown>));
    const after = applyOps(job, out.ops) as unknown as Record<string, unknown>;
    const workers = at(after, "spec.components.0.template.spec.pytorchReplicaSpecs.Worker.replicas") as number;
    expect(workers).toBeGreaterThanOrEqual(1);
    expect(at(after, "spec.components.0.podSets")).toEqual([
      { replicas: 1, path: "template.spec.pytorchReplicaSpecs.Master.template" },
      { replicas: workers, path: "template.spec.pytorchReplicaSpecs.Worker.template" },
    ]);
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });
});

describe("admit: opt-in and jobs it cannot read", () => {
  it("skips jobs without the watch label outside opted-in namespaces", async () => {
    const job = loadJob("jobs/kueue_sample-pytorchjob.yaml");
    expect(await aHarness().review(anAdmissionReview(job))).toMatchObject({ result: "skipped", ops: [] });
  });

  it("admits a non-fms job in an opted-in namespace unchanged, saying why", async () => {
    const job = loadJob("jobs/kueue_sample-pytorchjob.yaml");
    const out = await aHarness({ config: { namespaces: ["default"] } }).review(anAdmissionReview(job, { namespace: "default" }));
    expect(out).toMatchObject({ result: "unreadable", ops: [] });
    expect(out.warnings[0]).toMatch(/launcher/);
  });

  it("admits an opted-in AppWrapper that wraps no PyTorchJob unchanged, saying why", async () => {
    const wrapper = loadJob("jobs/appwrapper_samples_wrapped-gpu-job.yaml");
    const out = await aHarness({ config: { namespaces: ["team-a"] } }).review(anAdmissionReview(wrapper));
    expect(out).toMatchObject({ kind: "AppWrapper", result: "unreadable", ops: [] });
    expect(out.warnings[0]).toMatch(/0 PyTorchJob templates/);
  });

  it("reads a mounted ConfigMap for SFT_TRAINER_CONFIG_JSON_PATH and names the unknown model", async () => {
    const docs = loadDocuments("jobs/fms-hf-tuning_kfto-kueue-sft-trainer.yaml");
    const configMap = docs.find((d) => d.kind === "ConfigMap") as { data: Record<string, string> };
    const job = docs.find((d) => d.kind === "PyTorchJob")!;
    const configMaps = { get: async (_ns: string, name: string) => (name === "my-config" ? configMap.data : undefined) };
    const out = await aHarness({ config: { namespaces: ["team-a"] }, configMaps }).review(anAdmissionReview(job));
    expect(out.result).toBe("unreadable");
    expect(out.warnings[0]).toMatch(/bigscience\/bloom-560m/);
  });

  it("sizes a config-json job once its model is known, keeping the per-device batch it cannot rewrite", async () => {
    const docs = loadDocuments("jobs/fms-hf-tuning_kfto-kueue-sft-trainer.yaml");
    const configMap = structuredClone(docs.find((d) => d.kind === "ConfigMap")) as { data: Record<string, string> };
    configMap.data["config.json"] = configMap.data["config.json"]!.replace("bigscience/bloom-560m", "ibm-granite/granite-3.1-2b-instruct");
    const job = docs.find((d) => d.kind === "PyTorchJob")!;
    const configMaps = { get: async () => configMap.data };
    const out = await aHarness({ config: { namespaces: ["team-a"] }, configMaps }).review(anAdmissionReview(job));
    expect(out.result).toBe("patched");
    const after = applyOps(job, out.ops);
    expect(annotationOf(after)).toMatchObject({ perDeviceBatch: 4, recommendation: { workers: 1 } });
    expect(schemaErrorsAddedBy(job as Record<string, unknown>, after as Record<string, unknown>)).toEqual([]);
  });

  it("answers a job whose replica specs are malformed with a warning naming the field", async () => {
    const job = structuredClone(loadJob("jobs/llama-7b-lora_pytorchjob.yaml")) as { spec: { pytorchReplicaSpecs: Record<string, unknown> } };
    job.spec.pytorchReplicaSpecs.Launcher = { replicas: 1 };
    const out = await aHarness().review(anAdmissionReview(job as unknown as Record<string, unknown>));
    expect(out.result).toBe("unreadable");
    expect(out.warnings[0]).toMatch(/pytorchReplicaSpecs/);
  });

  it("annotates a job no GPU count fits, leaving its resources alone", async () => {
    const job = structuredClone(loadJob("jobs/llama-7b-lora_pytorchjob.yaml")) as Record<string, unknown>;
    const h = aHarness({ config: { maxGpus: 1 } });
    const out = await h.review(anAdmissionReview(job));
    expect(out.result).toBe("no-recommendation");
    const after = applyOps(job, out.ops);
    expect(annotationOf(after)).toMatchObject({ error: "No recommendation", code: "no-fit" });
    expect(out.ops.every((op) => op.path.startsWith("/metadata/"))).toBe(true);
    expect(h.events).toMatchObject([{ type: "Warning", reason: "NoRecommendationAvailable" }]);
  });
});

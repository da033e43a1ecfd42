import { describe, expect, it } from "vitest";
import { ScoringModel } from "../../core/scoring/index.js";
import { learnedGpuTypeChooser } from "../../webhook/gpuTypeChoice.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { validateAgainstCrd } from "../builders/crdSchema.js";
import { aHarness, applyOps, at } from "./harness.js";

/** The llama-7b LoRA job with its GPU type taken away. */
function jobWithoutGpuType(labels: Record<string, string> = {}): Record<string, unknown> {
  const job = structuredClone(loadJob("jobs/llama-7b-lora_pytorchjob.yaml")) as Record<string, any>;
  for (const replica of Object.values(job.spec.pytorchReplicaSpecs) as any[]) delete replica.template.spec.nodeSelector;
  job.metadata.labels = { ...job.metadata.labels, ...labels };
  return job;
}

function harness(offered: string[], opts: { model?: ScoringModel; config?: Record<string, unknown> } = {}) {
  const model = opts.model ?? new ScoringModel();
  const h = aHarness(opts.config ? { config: opts.config } : {});
  h.deps.gpuTypes = learnedGpuTypeChooser({ model, offered: () => offered });
  return { h, model };
}

const A100 = "NVIDIA-A100-SXM4-80GB";
const H100 = "NVIDIA-H100-80GB-HBM3";

describe("GPU type choice for jobs that name none", () => {
  it("pins the chosen type on every replica, sizes for it, and records the scores", async () => {
    const { h } = harness([A100, H100]);
    const job = jobWithoutGpuType();
    const decision = await h.review(anAdmissionReview(job));
    expect(decision.result).toBe("patched");
    const after = applyOps(job, decision.ops) as Record<string, any>;
    const chosen = at(after, "spec.pytorchReplicaSpecs.Master.template.spec.nodeSelector") as Record<string, string>;
    expect([A100, H100]).toContain(chosen["nvidia.com/gpu.product"]);
    const annotation = JSON.parse(after.metadata.annotations["gpu-steward.io/decision"]);
    expect(annotation).toMatchObject({ gpuType: chosen["nvidia.com/gpu.product"], jobType: "llama-7b-lora", candidates: [{ gpuType: A100 }, { gpuType: H100 }] });
    const rec = JSON.parse(after.metadata.annotations["ado-autoconf.ibm.com/recommendation"]);
    expect(rec.inputs.gpu_model).toBe(chosen["nvidia.com/gpu.product"]);
    expect(validateAgainstCrd(after)).toEqual({ valid: true, errors: [] });
    // A learned choice is never remembered: the model moves on.
    expect(decision.repeatable).toBe(false);
  });

  it("picks the type the model has learned runs this job type faster", async () => {
    const model = new ScoringModel();
    for (let i = 0; i < 30; i++) {
      model.observe({ jobType: "llama-7b-lora", gpuType: A100, runtimeS: 3_000 }, 1_700_000_000_000 + i);
      model.observe({ jobType: "llama-7b-lora", gpuType: H100, runtimeS: 1_200 }, 1_700_000_000_000 + i);
    }
    const { h } = harness([A100, H100], { model });
    const after = applyOps(jobWithoutGpuType(), (await h.review(anAdmissionReview(jobWithoutGpuType()))).ops);
    expect(at(after, "spec.pytorchReplicaSpecs.Master.template.spec.nodeSelector")).toEqual({ "nvidia.com/gpu.product": H100 });
  });

  it("uses the job-type label as the learning key", async () => {
    const { h } = harness([A100]);
    const job = jobWithoutGpuType({ "gpu-steward.io/job-type": "nightly-finetune" });
    const after = applyOps(job, (await h.review(anAdmissionReview(job))).ops) as Record<string, any>;
    expect(JSON.parse(after.metadata.annotations["gpu-steward.io/decision"]).jobType).toBe("nightly-finetune");
  });

  it("leaves out types on which no GPU count fits, and says so", async () => {
    const { h } = harness(["NVIDIA-T4", A100], { config: { maxGpus: 2 } });
    const job = jobWithoutGpuType();
    const after = applyOps(job, (await h.review(anAdmissionReview(job))).ops) as Record<string, any>;
    const annotation = JSON.parse(after.metadata.annotations["gpu-steward.io/decision"]);
    expect(annotation.gpuType).toBe(A100);
    expect(Object.keys(annotation.excluded)).toEqual(["NVIDIA-T4"]);
  });

  it("names the offered types when none fits", async () => {
    const { h } = harness(["NVIDIA-T4"], { config: { maxGpus: 1 } });
    const decision = await h.review(anAdmissionReview(jobWithoutGpuType()));
    expect(decision.result).toBe("unreadable");
    expect(decision.warnings[0]).toMatch(/no offered GPU type fits the job \(NVIDIA-T4: /);
  });

  it("falls back to --default-gpu-model when nothing is offered, and is unreadable without one", async () => {
    const withDefault = harness([], { config: { defaultGpuModel: A100 } }).h;
    const sized = await withDefault.review(anAdmissionReview(jobWithoutGpuType()));
    expect(sized.result).toBe("patched");
    expect(sized.ops.some((op) => op.path.includes("nodeSelector"))).toBe(false);

    const without = harness([]).h;
    const unread = await without.review(anAdmissionReview(jobWithoutGpuType()));
    expect(unread.result).toBe("unreadable");
    expect(unread.warnings[0]).toMatch(/no GPU model/);
  });

  it("does not touch a job that names its GPU type", async () => {
    const { h, model } = harness([H100]);
    const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
    const decision = await h.review(anAdmissionReview(job));
    expect(decision.ops.some((op) => op.path.includes("nodeSelector") || op.path.includes("gpu-steward.io~1decision"))).toBe(false);
    expect(model.metrics().decisionsTotal).toBe(0);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { schemaErrorsAddedBy } from "../builders/crdSchema.js";
import { anAdmissionReview } from "../builders/reviews.js";
import { aHarness, applyOps } from "./harness.js";

const MODELS = ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "ibm-granite/granite-3.1-8b-instruct", "ibm-granite/granite-8b-code-base-4k", "mistralai/Mistral-7B-v0.1", "meta-llama/Llama-3.1-8B", "ibm-granite/granite-3.1-2b-instruct", "mistralai/Mixtral-8x7B-Instruct-v0.1"];
const GPUS = ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-80GB-PCIe", "NVIDIA-H100-80GB-HBM3", "NVIDIA-L40S", "NVIDIA-H200"];

interface GeneratedJob {
  model: string;
  peft: "lora" | "none";
  seq: number;
  perDevice: number;
  gpusPerPod: number;
  workers: number;
  gpu: string;
  launcher: "accelerate" | "torchrun" | "python";
  cpu: number | undefined;
  gpuAsString: boolean;
}

const jobArb: fc.Arbitrary<GeneratedJob> = fc.record({
  model: fc.constantFrom(...MODELS),
  peft: fc.constantFrom("lora" as const, "none" as const),
  seq: fc.constantFrom(512, 1024, 2048, 4096, 8192),
  perDevice: fc.constantFrom(1, 2, 4, 8, 16),
  gpusPerPod: fc.constantFrom(1, 2, 4, 8),
  workers: fc.integer({ min: 1, max: 3 }),
  gpu: fc.constantFrom(...GPUS),
  launcher: fc.constantFrom("accelerate" as const, "torchrun" as const, "python" as const),
  cpu: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
  gpuAsString: fc.boolean(),
});

function trainerFlags(j: GeneratedJob): string {
  return `--model_name_or_path ${j.model} --peft_method ${j.peft} --max_seq_length ${j.seq} --per_device_train_batch_size ${j.perDevice} --output_dir /tmp/out`;
}

function command(j: GeneratedJob): string[] {
  const total = j.gpusPerPod * j.workers;
  switch (j.launcher) {
    case "accelerate":
      return ["sh", "-c", `accelerate launch --num_processes=${total} --num_machines="\${WORLD_SIZE}" --machine_rank="\${RANK}" -m tuning.sft_trainer ${trainerFlags(j)}`];
    case "torchrun":
      return ["torchrun", `--nnodes=${j.workers}`, `--nproc_per_node=${j.gpusPerPod}`, "-m", "tuning.sft_trainer", ...trainerFlags(j).split(" ")];
    case "python":
      return ["python", "-m", "tuning.sft_trainer", ...trainerFlags(j).split(" ")];
  }
}

function build(j: GeneratedJob): Record<string, unknown> {
  const gpus = j.gpuAsString ? String(j.gpusPerPod) : j.gpusPerPod;
  const replica = (replicas: number) => ({
    replicas,
    restartPolicy: "Never",
    template: {
      spec: {
        nodeSelector: { "nvidia.com/gpu.product": j.gpu },
        containers: [
          {
            name: "pytorch",
            image: "quay.io/modh/fms-hf-tuning:v3.1.0",
            command: command(j),
            resources: { requests: { ...(j.cpu !== undefined && { cpu: j.cpu }), "nvidia.com/gpu": gpus }, limits: { "nvidia.com/gpu": gpus } },
          },
        ],
      },
    },
  });
  return {
    apiVersion: "kubeflow.org/v1",
    kind: "PyTorchJob",
    metadata: { name: "generated", namespace: "team-a", labels: { "autoconf-plugin-name": "resource-requirements-appwrapper" } },
    spec: { pytorchReplicaSpecs: { Master: replica(1), ...(j.workers > 1 && { Worker: replica(j.workers - 1) }) } },
  };
}

describe("admission properties over generated jobs", () => {
  it.each(["min-gpus", "avoid-oom"])("%s: the patch applies, keeps the CRD schema, and a second pass is a no-op", async (policy) => {
    const h = aHarness({ config: { policy } });
    let resized = 0;
    await fc.assert(
      fc.asyncProperty(jobArb, async (j) => {
        const job = build(j);
        const first = await h.review(anAdmissionReview(job));
        expect(["patched", "no-recommendation"]).toContain(first.result);
        const after = applyOps(job, first.ops); // throws when an op does not apply
        if (first.ops.some((op) => op.path.endsWith("/nvidia.com~1gpu"))) resized += 1;
        expect(schemaErrorsAddedBy(job, after)).toEqual([]);
        const second = await h.review(anAdmissionReview(after));
        expect(second.ops).toEqual([]);
        // Without the done label the sizing itself must come out the same.
        const relabelled = structuredClone(after) as { metadata: { labels: Record<string, string> } };
        delete relabelled.metadata.labels["autoconf-plugin-done"];
        const third = await h.review(anAdmissionReview(relabelled));
        expect(third.ops.filter((op) => !op.path.startsWith("/metadata/"))).toEqual([]);
      }),
      { numRuns: 60, seed: 20261123 },
    );
    // The generator must exercise resizing, not only jobs that already fit as asked.
    expect(resized).toBeGreaterThan(10);
  });
});

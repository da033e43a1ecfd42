import { describe, expect, it } from "vitest";
import { readLaunch } from "../../../../core/sizing/launcher/index.js";
import type { LaunchReading } from "../../../../core/sizing/launcher/types.js";
import { example, loadExampleContainers } from "./examples.js";

describe("reading the real job examples", () => {
  it("finds a PyTorchJob container in every example that has one", () => {
    expect(loadExampleContainers().map((e) => e.file)).toEqual([
      "appwrapper_samples_wrapped-pytorch-job.yaml",
      "fms-autoconf-k8s-controller_appwrapper_lora.yaml",
      "fms-autoconf-k8s-controller_pytorchjob_full.yaml",
      "fms-autoconf-k8s-controller_pytorchjob_lora.yaml",
      "fms-hf-tuning_kfto-kueue-sft-trainer.yaml",
      "kueue_sample-pytorchjob.yaml",
      "llama-7b-lora_pytorchjob.yaml",
    ]);
  });

  it.each<[string, Partial<LaunchReading> & Pick<LaunchReading, "kind" | "settings">]>([
    [
      "fms-autoconf-k8s-controller_pytorchjob_lora.yaml",
      {
        kind: "accelerate",
        perDeviceBatchRewritable: true,
        settings: {
          modelNameOrPath: "ibm-granite/granite-8b-code-base-4k",
          peftMethod: "lora",
          maxSeqLength: 512,
          perDeviceBatch: 8,
          gradientAccumulationSteps: 4,
          loraRank: 4,
          loraTargetModules: ["q_proj", "v_proj"],
          torchDtype: "bfloat16",
          gradientCheckpointing: true,
          useFlashAttn: true,
          numProcesses: 1,
          numMachines: 1,
        },
      },
    ],
    [
      "fms-autoconf-k8s-controller_appwrapper_lora.yaml",
      {
        kind: "accelerate",
        perDeviceBatchRewritable: true,
        settings: {
          modelNameOrPath: "ibm-granite/granite-8b-code-base-4k",
          peftMethod: "lora",
          maxSeqLength: 512,
          perDeviceBatch: 8,
          gradientAccumulationSteps: 4,
          loraRank: 4,
          loraTargetModules: ["q_proj", "v_proj"],
          torchDtype: "bfloat16",
          gradientCheckpointing: true,
          useFlashAttn: true,
          numProcesses: 2,
          // --num_machines="${WORLD_SIZE}": decided by the training operator, not read.
        },
      },
    ],
    [
      "fms-autoconf-k8s-controller_pytorchjob_full.yaml",
      {
        kind: "accelerate",
        perDeviceBatchRewritable: true,
        settings: {
          modelNameOrPath: "ibm-granite/granite-3.1-3b-a800m-instruct",
          maxSeqLength: 512,
          perDeviceBatch: 1,
          gradientAccumulationSteps: 4,
          torchDtype: "bfloat16",
          gradientCheckpointing: true,
          numProcesses: 8,
          numMachines: 1,
        },
      },
    ],
    [
      "fms-hf-tuning_kfto-kueue-sft-trainer.yaml",
      {
        kind: "config-json",
        perDeviceBatchRewritable: false,
        maxWorkers: 1,
        settings: { modelNameOrPath: "bigscience/bloom-560m", perDeviceBatch: 4, gradientAccumulationSteps: 4, useFlashAttn: false },
      },
    ],
  ])("reads %s", (file, expected) => {
    const { container, files } = example(file);
    const result = readLaunch(container, files);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.reading).toMatchObject(expected);
    // Exact settings: nothing invented, no defaults applied by the reader.
    expect(result.reading.settings).toEqual(expected.settings);
  });

  it("notes that the AppWrapper job's machine count comes from the training operator", () => {
    const { container } = example("fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const result = readLaunch(container);
    expect(result.ok && result.reading.notes).toContainEqual(expect.stringMatching(/--num_machines comes from WORLD_SIZE/));
  });

  it("records trainer arguments the full fine-tuning job leaves to defaults", () => {
    const { container } = example("fms-autoconf-k8s-controller_pytorchjob_full.yaml");
    const result = readLaunch(container);
    expect(result.ok && result.reading.notes).toContainEqual(expect.stringMatching(/--peft_method/));
  });

  it("reports the mounted config file as unavailable when its content is not handed in", () => {
    const { container } = example("fms-hf-tuning_kfto-kueue-sft-trainer.yaml");
    expect(readLaunch(container)).toEqual({
      ok: false,
      reason: "SFT_TRAINER_CONFIG_JSON_PATH /etc/config/config.json: file content not available at admission",
    });
  });

  it.each(["kueue_sample-pytorchjob.yaml", "appwrapper_samples_wrapped-pytorch-job.yaml"])("rejects %s (mnist, not fms-hf-tuning) with a clear reason", (file) => {
    const result = readLaunch(example(file).container);
    expect(result).toEqual({
      ok: false,
      reason:
        "no fms-hf-tuning launcher found in command/args (looked for accelerate launch, torchrun, python -m tuning.sft_trainer, SFT_TRAINER_CONFIG_JSON_*); " +
        "the container runs python3 /opt/pytorch-mnist/mnist.py",
    });
  });
});

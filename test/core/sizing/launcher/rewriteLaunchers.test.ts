import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readLaunch, rewriteLaunch } from "../../../../core/sizing/launcher/index.js";
import type { ContainerSpec, LaunchReading, LaunchRewrite, LaunchTarget } from "../../../../core/sizing/launcher/types.js";
import { example } from "./examples.js";

const sh = (script: string, env: ContainerSpec["env"] = []): ContainerSpec => ({ command: ["sh", "-c", script], env });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
const unb64 = (value: string | undefined) => JSON.parse(Buffer.from(value ?? "", "base64").toString("utf8"));

function readOk(container: ContainerSpec, files?: Map<string, string>): LaunchReading {
  const r = readLaunch(container, files);
  if (!r.ok) throw new Error(r.reason);
  return r.reading;
}

function apply(container: ContainerSpec, rewrite: LaunchRewrite): ContainerSpec {
  return {
    ...container,
    ...(rewrite.command !== undefined && { command: rewrite.command }),
    ...(rewrite.args !== undefined && { args: rewrite.args }),
    ...(rewrite.env !== undefined && { env: rewrite.env }),
  };
}

function rewrite(container: ContainerSpec, target: LaunchTarget): LaunchRewrite {
  return rewriteLaunch(container, readOk(container), target);
}

const scriptOf = (rw: LaunchRewrite) => rw.command?.[2];

describe("rewriting accelerate launches", () => {
  it("sets the total process count and per-device batch in the AppWrapper example, leaving everything else byte-identical", () => {
    const { container } = example("fms-autoconf-k8s-controller_appwrapper_lora.yaml");
    const before = container.command![2]!;
    const rw = rewrite(container, { workers: 3, gpusPerWorker: 4, perDeviceBatch: 2 });
    expect(rw.args).toBeUndefined();
    expect(rw.env).toBeUndefined();
    expect(rw.command?.slice(0, 2)).toEqual(["sh", "-c"]);
    // --num_machines="${WORLD_SIZE}" stays: the operator sets WORLD_SIZE to the number of pods.
    expect(scriptOf(rw)).toBe(before.replace('--num_processes="2"', '--num_processes="12"').replace("--per_device_train_batch_size 8", "--per_device_train_batch_size 2"));
    expect(scriptOf(rw)).toContain("\necho this line stops codeflare from immediately killing pods in which accelerate launch fails\n");
  });

  it("sets a literal machine count and leaves an unchanged batch alone", () => {
    const { container } = example("fms-autoconf-k8s-controller_pytorchjob_lora.yaml");
    const before = container.command![2]!;
    const rw = rewrite(container, { workers: 2, gpusPerWorker: 8, perDeviceBatch: 8 });
    expect(scriptOf(rw)).toBe(before.replace('--num_machines="1" --num_processes="1"', '--num_machines="2" --num_processes="16"'));
  });

  it("inserts missing launcher flags before -m and the batch after the module, in the array that holds them", () => {
    const container: ContainerSpec = { command: ["accelerate", "launch"], args: ["-m", "tuning.sft_trainer", "--r", "4"] };
    const rw = rewrite(container, { workers: 1, gpusPerWorker: 4, perDeviceBatch: 4 });
    expect(rw).toEqual({ args: ["--num_processes", "4", "--num_machines", "1", "-m", "tuning.sft_trainer", "--per_device_train_batch_size", "4", "--r", "4"] });
  });

  it("inserts before a script path when there is no -m", () => {
    const rw = rewrite(sh("accelerate launch --machine_rank $RANK tuning/sft_trainer.py --r 4"), { workers: 2, gpusPerWorker: 2, perDeviceBatch: 8 });
    expect(scriptOf(rw)).toBe("accelerate launch --machine_rank $RANK --num_processes 4 --num_machines 2 tuning/sft_trainer.py --r 4");
  });

  it("keeps a value written through a variable when it already has the target value", () => {
    const container = sh("accelerate launch --num_processes $N --num_machines 1 --machine_rank 0 -m tuning.sft_trainer", [{ name: "N", value: "8" }]);
    expect(rewrite(container, { workers: 1, gpusPerWorker: 8, perDeviceBatch: 8 })).toEqual({});
  });

  it("keeps comments, other commands and non-ASCII text around the launcher", () => {
    const script = '# entraîner ✓\nset -e\necho "données → /data"\naccelerate launch --num_processes=1 -m tuning.sft_trainer --per_device_train_batch_size=8 # fin\necho fini\n';
    const rw = rewrite(sh(script), { workers: 1, gpusPerWorker: 2, perDeviceBatch: 4 });
    expect(scriptOf(rw)).toBe(
      '# entraîner ✓\nset -e\necho "données → /data"\naccelerate launch --num_processes=2 --num_machines 1 -m tuning.sft_trainer --per_device_train_batch_size=4 # fin\necho fini\n',
    );
  });
});

describe("rewriting torchrun launches", () => {
  it("sets --nproc_per_node and keeps an operator-provided --nnodes", () => {
    const rw = rewrite(sh('torchrun --nnodes "${PET_NNODES}" --nproc-per-node=8 -m tuning.sft_trainer --per_device_train_batch_size 4'), { workers: 4, gpusPerWorker: 2, perDeviceBatch: 4 });
    expect(scriptOf(rw)).toBe('torchrun --nnodes "${PET_NNODES}" --nproc-per-node=2 -m tuning.sft_trainer --per_device_train_batch_size 4');
  });

  it("adds --nnodes when absent and updates python -m torch.distributed.run in argv", () => {
    const container: ContainerSpec = { command: ["python3", "-m", "torch.distributed.run", "--nproc_per_node", "auto", "tuning/sft_trainer.py", "--r", "8"] };
    expect(rewrite(container, { workers: 2, gpusPerWorker: 4, perDeviceBatch: 6 })).toEqual({
      command: ["python3", "-m", "torch.distributed.run", "--nproc_per_node", "4", "--nnodes", "2", "tuning/sft_trainer.py", "--per_device_train_batch_size", "6", "--r", "8"],
    });
  });
});

describe("rewriting single-process python launches", () => {
  it("changes only the batch when the target is one GPU", () => {
    const rw = rewrite(sh("python -m tuning.sft_trainer --per_device_train_batch_size 8 --r 4"), { workers: 1, gpusPerWorker: 1, perDeviceBatch: 2 });
    expect(scriptOf(rw)).toBe("python -m tuning.sft_trainer --per_device_train_batch_size 2 --r 4");
  });

  it.each<[string, ContainerSpec, LaunchTarget, ContainerSpec]>([
    [
      "python -m tuning.sft_trainer",
      sh("cd /app && python -m tuning.sft_trainer --r 4"),
      { workers: 2, gpusPerWorker: 4, perDeviceBatch: 8 },
      sh("cd /app && python -m torch.distributed.run --nnodes 2 --nproc_per_node 4 -m tuning.sft_trainer --r 4"),
    ],
    [
      "python3 -u with a script path",
      { command: ["python3", "-u", "/app/tuning/sft_trainer.py", "--r", "4"] },
      { workers: 1, gpusPerWorker: 2, perDeviceBatch: 3 },
      { command: ["python3", "-u", "-m", "torch.distributed.run", "--nnodes", "1", "--nproc_per_node", "2", "/app/tuning/sft_trainer.py", "--per_device_train_batch_size", "3", "--r", "4"] },
    ],
    [
      "the sft_trainer console script",
      { command: ["sft_trainer"], args: ["--r", "4"] },
      { workers: 1, gpusPerWorker: 8, perDeviceBatch: 8 },
      { command: ["torchrun", "--nnodes", "1", "--nproc_per_node", "8", "-m", "tuning.sft_trainer"], args: ["--r", "4"] },
    ],
  ])("converts %s to torch.distributed.run for several GPUs", (_name, container, target, expected) => {
    const next = apply(container, rewrite(container, target));
    expect(next).toEqual(expected);
    const again = readOk(next);
    expect(again.kind).toBe("torchrun");
    expect(again.settings).toMatchObject({ nprocPerNode: target.gpusPerWorker, numMachines: target.workers, numProcesses: target.workers * target.gpusPerWorker });
  });
});

describe("rewriting JSON config launches", () => {
  it("re-encodes SFT_TRAINER_CONFIG_JSON_ENV_VAR with the new batch and process count, leaving other env alone", () => {
    const config = { model_name_or_path: "m", per_device_train_batch_size: 8, accelerate_launch_args: { num_processes: 8, main_process_port: 1234 } };
    const container: ContainerSpec = {
      env: [
        { name: "HF_HOME", value: "/x" },
        { name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64(config) },
      ],
    };
    const rw = rewrite(container, { workers: 1, gpusPerWorker: 2, perDeviceBatch: 4 });
    expect(rw.command).toBeUndefined();
    expect(rw.env?.[0]).toEqual({ name: "HF_HOME", value: "/x" });
    expect(unb64(rw.env?.[1]?.value)).toEqual({ ...config, per_device_train_batch_size: 4, accelerate_launch_args: { num_processes: 2, main_process_port: 1234 } });
  });

  it("leaves a mounted config file alone (the reading marks its batch fixed)", () => {
    const { container, files } = example("fms-hf-tuning_kfto-kueue-sft-trainer.yaml");
    const reading = readOk(container, files);
    expect(reading.perDeviceBatchRewritable).toBe(false);
    expect(rewriteLaunch(container, reading, { workers: 1, gpusPerWorker: 4, perDeviceBatch: 1 })).toEqual({});
  });
});

describe("per-device batch", () => {
  it.each<[string, string, number, string | undefined]>([
    ["absent and the target is the default 8: untouched", "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer", 8, undefined],
    ["absent and the target differs from 8: added after the module", "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer --r 4", 4, "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer --per_device_train_batch_size 4 --r 4"],
    ["present with the target value: untouched", "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer --per_device_train_batch_size '2'", 2, undefined],
    ["present with another value: replaced in its quotes", "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer --per_device_train_batch_size '2'", 16, "accelerate launch --num_processes 1 --num_machines 1 -m tuning.sft_trainer --per_device_train_batch_size '16'"],
  ])("%s", (_name, script, b, expected) => {
    expect(scriptOf(rewrite(sh(script), { workers: 1, gpusPerWorker: 1, perDeviceBatch: b }))).toBe(expected);
  });
});

describe("rewrite properties on the example and synthetic containers", () => {
  const containers: Array<[string, ContainerSpec]> = [
    ["appwrapper_lora", example("fms-autoconf-k8s-controller_appwrapper_lora.yaml").container],
    ["pytorchjob_lora", example("fms-autoconf-k8s-controller_pytorchjob_lora.yaml").container],
    ["pytorchjob_full", example("fms-autoconf-k8s-controller_pytorchjob_full.yaml").container],
    ["torchrun", sh("torchrun --nnodes=1 --nproc_per_node 8 -m tuning.sft_trainer --model_name_or_path m --r 4 --target_modules q_proj v_proj")],
    ["python", { command: ["bash", "-c"], args: ["set -e; python3 -m tuning.sft_trainer --model_name_or_path m --per_device_train_batch_size 4 --max_seq_length 512"] }],
    ["config-json env", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64({ model_name_or_path: "m", max_seq_length: 1024, accelerate_launch_args: { num_processes: 1 } }) }] }],
  ];
  const targetArb = fc.record({ workers: fc.integer({ min: 1, max: 8 }), gpusPerWorker: fc.integer({ min: 1, max: 8 }), perDeviceBatch: fc.integer({ min: 1, max: 64 }) });
  const unrelated = (r: LaunchReading) => {
    const { perDeviceBatch: _b, numProcesses: _p, numMachines: _m, nprocPerNode: _n, ...rest } = r.settings;
    return rest;
  };

  it.each(containers)("%s: re-reading the rewrite gives the target, other settings unchanged, and rewriting it again changes nothing", (_name, container) => {
    const original = readOk(container);
    fc.assert(
      fc.property(targetArb, (target) => {
        const once = apply(container, rewriteLaunch(container, original, target));
        const reread = readOk(once);
        const s = reread.settings;
        const total = target.workers * target.gpusPerWorker;

        expect(unrelated(reread)).toEqual(unrelated(original));
        const batchWasAbsent = original.settings.perDeviceBatch === undefined;
        expect(s.perDeviceBatch).toBe(batchWasAbsent && target.perDeviceBatch === 8 ? undefined : target.perDeviceBatch);
        if (reread.kind === "accelerate") {
          expect(s.numProcesses).toBe(total);
          if (original.settings.numMachines !== undefined) expect(s.numMachines).toBe(target.workers);
        } else if (reread.kind === "torchrun") {
          expect(s).toMatchObject({ nprocPerNode: target.gpusPerWorker, numMachines: target.workers, numProcesses: total });
        } else if (reread.kind === "python") {
          expect(total).toBe(1);
        }
        expect(reread.kind).toBe(original.kind === "python" && total > 1 ? "torchrun" : original.kind);

        const second = rewriteLaunch(once, reread, target);
        expect(apply(once, second)).toEqual(once);
        expect(second).toEqual({});
      }),
      { numRuns: 60 },
    );
  });
});

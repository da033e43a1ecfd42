import { describe, expect, it } from "vitest";
import { readLaunch } from "../../../../core/sizing/launcher/index.js";
import type { ContainerSpec, LaunchReadResult, LaunchSettings } from "../../../../core/sizing/launcher/types.js";

type Env = NonNullable<ContainerSpec["env"]>;
const sh = (script: string, env: Env = []): ContainerSpec => ({ command: ["sh", "-c", script], env });
const argv = (line: string, env: Env = []): ContainerSpec => ({ command: line.split(" "), env });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");

function reading(result: LaunchReadResult) {
  if (!result.ok) throw new Error(`expected ok, got: ${result.reason}`);
  return result.reading;
}

describe("launchers the original controller could not read", () => {
  it.each<[string, ContainerSpec, string, LaunchSettings]>([
    [
      "torchrun with --flag=value and --flag value",
      sh("torchrun --nnodes=2 --nproc_per_node 4 -m tuning.sft_trainer --model_name_or_path m --per_device_train_batch_size 2"),
      "torchrun",
      { numMachines: 2, nprocPerNode: 4, numProcesses: 8, modelNameOrPath: "m", perDeviceBatch: 2 },
    ],
    [
      "python -m torch.distributed.run with --nproc-per-node and an elastic MIN:MAX --nnodes",
      argv("python3 -m torch.distributed.run --nnodes 1:3 --nproc-per-node=2 tuning/sft_trainer.py --max_seq_length 1024"),
      "torchrun",
      { numMachines: 3, nprocPerNode: 2, numProcesses: 6, maxSeqLength: 1024 },
    ],
    [
      "python -m tuning.sft_trainer inside sh -c",
      sh("cd /app\npython -m tuning.sft_trainer --model_name_or_path ibm/x --peft_method lora --r 16"),
      "python",
      { numProcesses: 1, numMachines: 1, modelNameOrPath: "ibm/x", peftMethod: "lora", loraRank: 16 },
    ],
    [
      "python tuning/sft_trainer.py as a script path",
      argv("python /app/tuning/sft_trainer.py --torch_dtype float16"),
      "python",
      { numProcesses: 1, numMachines: 1, torchDtype: "float16" },
    ],
    [
      "accelerate launch tuning/sft_trainer.py without -m",
      sh("accelerate launch --num_processes 4 --machine_rank $RANK tuning/sft_trainer.py --max_seq_length=2048 --per_device_train_batch_size=16"),
      "accelerate",
      { numProcesses: 4, maxSeqLength: 2048, perDeviceBatch: 16 },
    ],
    [
      "accelerate launch --module",
      argv("accelerate launch --num_processes=2 --num_machines=1 --machine_rank=0 --module tuning.sft_trainer --gradient_checkpointing"),
      "accelerate",
      { numProcesses: 2, numMachines: 1, gradientCheckpointing: true },
    ],
    [
      "the sft_trainer console script",
      argv("sft_trainer --model_name_or_path m --use_flash_attn False"),
      "python",
      { numProcesses: 1, numMachines: 1, modelNameOrPath: "m", useFlashAttn: false },
    ],
    [
      "bash -c with set -e; cd /x && accelerate launch …",
      { command: ["/bin/bash", "-c", "set -e; cd /x && accelerate launch --num_processes 8 --machine_rank ${RANK} -m tuning.sft_trainer --r 8"] },
      "accelerate",
      { numProcesses: 8, loraRank: 8 },
    ],
    [
      "bash -ec with the script in args",
      { command: ["bash"], args: ["-ec", "accelerate launch --num_processes 3 -m tuning.sft_trainer"] },
      "accelerate",
      { numProcesses: 3 },
    ],
    [
      "sh -euxo pipefail -c",
      { command: ["sh", "-euxo", "pipefail", "-c", "exec torchrun --nproc_per_node 2 --nnodes 1 -m tuning.sft_trainer"] },
      "torchrun",
      { nprocPerNode: 2, numMachines: 1, numProcesses: 2 },
    ],
    [
      "a launcher inside an if body, a subshell and a pipeline",
      sh("if [ -d /data ]; then\n  (torchrun --nproc_per_node 8 --nnodes 1 -m tuning.sft_trainer 2>&1 | tee /tmp/log)\nfi"),
      "torchrun",
      { nprocPerNode: 8, numMachines: 1, numProcesses: 8 },
    ],
    [
      "a list flag that ends at the next flag",
      sh("python -m tuning.sft_trainer --target_modules q_proj k_proj v_proj o_proj --r 4"),
      "python",
      { numProcesses: 1, numMachines: 1, loraTargetModules: ["q_proj", "k_proj", "v_proj", "o_proj"], loraRank: 4 },
    ],
  ])("reads %s", (_name, container, kind, settings) => {
    const r = reading(readLaunch(container));
    expect(r.kind).toBe(kind);
    expect(r.settings).toEqual(settings);
    expect(r.perDeviceBatchRewritable).toBe(true);
  });

  it("reads a base64 JSON config from SFT_TRAINER_CONFIG_JSON_ENV_VAR", () => {
    const config = {
      model_name_or_path: "meta-llama/Llama-3.1-8b",
      per_device_train_batch_size: 2,
      max_seq_length: 8192,
      peft_method: "lora",
      r: 8,
      target_modules: ["q_proj", "v_proj"],
      gradient_accumulation_steps: 2,
      gradient_checkpointing: true,
      accelerate_launch_args: { num_machines: 2, num_processes: 16 },
    };
    const r = reading(readLaunch({ env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64(config) }] }));
    expect(r).toMatchObject({ kind: "config-json", perDeviceBatchRewritable: true });
    expect(r.maxWorkers).toBeUndefined();
    expect(r.settings).toEqual({
      modelNameOrPath: "meta-llama/Llama-3.1-8b",
      perDeviceBatch: 2,
      maxSeqLength: 8192,
      peftMethod: "lora",
      loraRank: 8,
      loraTargetModules: ["q_proj", "v_proj"],
      gradientAccumulationSteps: 2,
      gradientCheckpointing: true,
      // num_processes is overridden by the image unless SET_NUM_PROCESSES_TO_NUM_GPUS=False.
      numMachines: 2,
    });
  });
});

describe("flag values and variables", () => {
  it.each<[string, ContainerSpec, LaunchSettings]>([
    ["${VAR} from the literal env", sh('accelerate launch --num_processes ${N} --machine_rank $RANK -m tuning.sft_trainer --max_seq_length "${LEN}"', [{ name: "N", value: "4" }, { name: "LEN", value: "1024" }]), { numProcesses: 4, maxSeqLength: 1024 }],
    ["$VAR and a quoted mix", sh('accelerate launch --num_processes=$N --machine_rank 0 -m tuning.sft_trainer --model_name_or_path "/models/"$M', [{ name: "N", value: "2" }, { name: "M", value: "llama" }]), { numProcesses: 2, modelNameOrPath: "/models/llama" }],
    ["a variable assigned earlier in the script", sh("export NPROC=4\nNNODES=2\ntorchrun --nproc_per_node=$NPROC --nnodes=$NNODES -m tuning.sft_trainer"), { nprocPerNode: 4, numMachines: 2, numProcesses: 8 }],
    ["${VAR:-default} with the variable unset", sh("torchrun --nproc_per_node ${GPUS:-2} --nnodes 1 -m tuning.sft_trainer"), { nprocPerNode: 2, numMachines: 1, numProcesses: 2 }],
    ["a Kubernetes $(VAR) reference in argv", argv("torchrun --nproc_per_node $(GPUS) --nnodes 1 -m tuning.sft_trainer", [{ name: "GPUS", value: "4" }]), { nprocPerNode: 4, numMachines: 1, numProcesses: 4 }],
  ])("resolves %s", (_name, container, settings) => {
    expect(reading(readLaunch(container)).settings).toEqual(settings);
  });

  it.each<[string, ContainerSpec, RegExp]>([
    ["a valueFrom variable", sh("accelerate launch --machine_rank 0 -m tuning.sft_trainer --per_device_train_batch_size $B", [{ name: "B", valueFrom: { configMapKeyRef: { name: "c", key: "b" } } }]), /\$B comes from valueFrom/],
    ["a variable with no value anywhere", sh("accelerate launch --machine_rank 0 -m tuning.sft_trainer --per_device_train_batch_size ${B}"), /\$\{B\} has no literal value/],
    ["a command substitution", sh("torchrun --nproc_per_node $(nvidia-smi -L | wc -l) -m tuning.sft_trainer"), /only known at run time/],
  ])("leaves a setting unset, with a note, for %s", (_name, container, note) => {
    const r = reading(readLaunch(container));
    expect(r.settings.perDeviceBatch).toBeUndefined();
    expect(r.settings.nprocPerNode).toBeUndefined();
    expect(r.notes).toContainEqual(expect.stringMatching(note));
  });

  it.each<[string, ContainerSpec, keyof LaunchSettings, RegExp]>([
    ["WORLD_SIZE as accelerate's process count", sh("accelerate launch --num_processes=$WORLD_SIZE --machine_rank=$RANK -m tuning.sft_trainer"), "numProcesses", /--num_processes comes from WORLD_SIZE/],
    ["PET_NNODES as torchrun's node count", sh('torchrun --nnodes "${PET_NNODES}" --nproc_per_node 8 -m tuning.sft_trainer'), "numMachines", /--nnodes comes from PET_NNODES/],
    ["an absent torchrun --nnodes (read from PET_NNODES)", sh("torchrun --nproc_per_node 8 -m tuning.sft_trainer"), "numMachines", /PET_NNODES/],
  ])("treats %s as operator-provided, never a failure", (_name, container, key, note) => {
    const r = reading(readLaunch(container));
    expect(r.settings[key]).toBeUndefined();
    expect(r.notes).toContainEqual(expect.stringMatching(note));
  });

  it("does not apply defaults, but records which trainer arguments were absent", () => {
    const r = reading(readLaunch(sh("accelerate launch --machine_rank 0 -m tuning.sft_trainer")));
    expect(r.settings).toEqual({});
    expect(r.notes).toContainEqual("not set on the command line: --model_name_or_path, --peft_method, --max_seq_length, --per_device_train_batch_size (fms-hf-tuning defaults apply)");
  });

  it("reports a non-numeric value instead of guessing", () => {
    const r = reading(readLaunch(argv("python -m tuning.sft_trainer --max_seq_length lots")));
    expect(r.settings.maxSeqLength).toBeUndefined();
    expect(r.notes).toContainEqual('--max_seq_length "lots" is not a positive integer');
  });

  it.each<[string, ContainerSpec, number | undefined]>([
    ["accelerate without --machine_rank", sh("accelerate launch --num_processes 8 -m tuning.sft_trainer"), 1],
    ["accelerate with --machine_rank", sh("accelerate launch --num_processes 8 --machine_rank $RANK -m tuning.sft_trainer"), undefined],
    ["torchrun --standalone", sh("torchrun --standalone --nproc_per_node 8 -m tuning.sft_trainer"), 1],
    ["torchrun with a constant --node_rank", sh("torchrun --node_rank 0 --nproc_per_node 8 -m tuning.sft_trainer"), 1],
    ["torchrun reading its node rank from the operator", sh("torchrun --nproc_per_node 8 -m tuning.sft_trainer"), undefined],
  ])("bounds the workers of %s", (_name, container, maxWorkers) => {
    expect(reading(readLaunch(container)).maxWorkers).toBe(maxWorkers);
  });
});

describe("JSON config launches", () => {
  it("prefers SFT_TRAINER_CONFIG_JSON_ENV_VAR over SFT_TRAINER_CONFIG_JSON_PATH, as the image does", () => {
    const container: ContainerSpec = {
      env: [
        { name: "SFT_TRAINER_CONFIG_JSON_PATH", value: "/etc/config/config.json" },
        { name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64({ per_device_train_batch_size: 3 }) },
      ],
    };
    expect(reading(readLaunch(container)).settings).toEqual({ perDeviceBatch: 3 });
  });

  it("takes accelerate_launch_args.num_processes when the image is told not to override it", () => {
    const container: ContainerSpec = {
      env: [
        { name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64({ accelerate_launch_args: { num_processes: "4" } }) },
        { name: "SET_NUM_PROCESSES_TO_NUM_GPUS", value: "False" },
      ],
    };
    const r = reading(readLaunch(container));
    expect(r.settings.numProcesses).toBe(4);
    expect(r.maxWorkers).toBe(1);
  });

  it.each<[string, ContainerSpec, Map<string, string> | undefined, string]>([
    ["invalid base64", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: "not base64!" }] }, undefined, "SFT_TRAINER_CONFIG_JSON_ENV_VAR is not a base64-encoded JSON object (pickled configs cannot be read at admission)"],
    ["base64 of something that is not JSON", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: Buffer.from("\x80\x04}q\x00.").toString("base64") }] }, undefined, "SFT_TRAINER_CONFIG_JSON_ENV_VAR is not a base64-encoded JSON object (pickled configs cannot be read at admission)"],
    ["an env var from a Secret", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }, undefined, "SFT_TRAINER_CONFIG_JSON_ENV_VAR comes from valueFrom; its content is not available at admission"],
    ["a config file that was not handed in", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_PATH", value: "/etc/config/config.json" }] }, new Map(), "SFT_TRAINER_CONFIG_JSON_PATH /etc/config/config.json: file content not available at admission"],
    ["a config file that is not JSON", { env: [{ name: "SFT_TRAINER_CONFIG_JSON_PATH", value: "/c.json" }] }, new Map([["/c.json", "[1, 2]"]]), "SFT_TRAINER_CONFIG_JSON_PATH /c.json: not a JSON object"],
  ])("fails clearly on %s", (_name, container, files, reason) => {
    expect(readLaunch(container, files)).toEqual({ ok: false, reason });
  });
});

describe("what cannot be read", () => {
  it.each<[string, ContainerSpec, string | RegExp]>([
    [
      "two launcher calls in one script",
      sh("accelerate launch -m tuning.sft_trainer --r 4\naccelerate launch -m tuning.sft_trainer --r 8"),
      "2 launcher calls in the script; cannot tell which to size",
    ],
    ["a broken script, with the parser's position", sh("accelerate launch -m tuning.sft_trainer --model_name_or_path 'unterminated"), "cannot parse the sh -c script: 1:62: reached EOF without closing quote '"],
    ["an unclosed if", sh("if true; then\n  torchrun -m tuning.sft_trainer\n"), /^cannot parse the sh -c script: 1:1: if statement must end with "fi"$/],
    ["a script file instead of an inline script", { command: ["bash", "/scripts/train.sh"] }, /the container runs bash \/scripts\/train.sh \(script files are not read/],
    ["an accelerate launch of another program", sh("accelerate launch --num_processes 8 train.py --epochs 3"), /the container runs accelerate launch train.py$/],
    ["a script with no launcher at all", sh("sleep 600"), "no fms-hf-tuning launcher found in command/args (looked for accelerate launch, torchrun, python -m tuning.sft_trainer, SFT_TRAINER_CONFIG_JSON_*)"],
    ["no command and no JSON config", { env: [{ name: "HF_HOME", value: "/x" }] }, /^no command\/args and no SFT_TRAINER_CONFIG_JSON_ENV_VAR \/ SFT_TRAINER_CONFIG_JSON_PATH env/],
  ])("rejects %s", (_name, container, reason) => {
    const result = readLaunch(container);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason instanceof RegExp ? reason : new RegExp(`^${reason.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  });

  it("never throws, whatever the container holds", () => {
    const odd = [{}, { command: [] }, { command: ["sh", "-c"] }, { command: ["sh"] }, { command: [""] }, { args: ["--x"] }, { command: ["accelerate"] }, { command: ["python", "-m"] }];
    for (const c of odd as ContainerSpec[]) expect(() => readLaunch(c)).not.toThrow();
  });

  it("falls back to the JSON config when a script has no launcher", () => {
    const container: ContainerSpec = { ...sh("python /app/accelerate_launch.py"), env: [{ name: "SFT_TRAINER_CONFIG_JSON_ENV_VAR", value: b64({ max_seq_length: 512 }) }] };
    const r = reading(readLaunch(container));
    expect(r.kind).toBe("config-json");
    expect(r.settings.maxSeqLength).toBe(512);
  });
});

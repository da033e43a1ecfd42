/**
 * Turns a located launcher call into LaunchSettings: the launcher's process/machine flags and the
 * trainer's memory-relevant flags, each resolved against the container env.
 */
import { flagValues, lastFlag, scanFlags, type FlagUse } from "./argv.js";
import { resolvePieces, type EnvScope } from "./env.js";
import type { Located } from "./locate.js";
import { applyField, NOTED_IF_ABSENT, readCount, TRAINER_FIELDS, type FieldInput } from "./settings.js";
import type { LaunchReading, LaunchSettings } from "./types.js";
import type { Word } from "./words.js";

/** A flag's value(s) after variable resolution. */
export function flagInput(words: readonly Word[], use: FlagUse, scope: EnvScope): FieldInput {
  const values = flagValues(words, use);
  if (values.length === 0) return { kind: "bare" };
  const texts: string[] = [];
  for (const pieces of values) {
    const r = resolvePieces(pieces, scope);
    if (r.kind === "operator") return { kind: "operator", vars: r.vars };
    if (r.kind === "unresolved") return { kind: "unresolved", why: r.why };
    texts.push(r.value);
  }
  return { kind: "texts", texts };
}

export function readLocated(located: Located): LaunchReading {
  const { words, call, scope } = located;
  const settings: LaunchSettings = {};
  const notes: string[] = [];
  let maxWorkers: number | undefined;

  const launcher = scanFlags(words, call.launcherFrom, call.launcherTo);
  const input = (use: FlagUse) => flagInput(words, use, scope);
  const label = (use: FlagUse) => use.spelled;

  if (call.kind === "accelerate") {
    const processes = lastFlag(launcher, "num_processes");
    const machines = lastFlag(launcher, "num_machines");
    const configFile = lastFlag(launcher, "config_file");
    const from = configFile ? `its --config_file` : "its default config (all GPUs visible in the pod)";
    if (processes) settings.numProcesses = readCount(input(processes), label(processes), notes);
    else notes.push(`--num_processes absent: accelerate takes it from ${from}`);
    if (machines) settings.numMachines = readCount(input(machines), label(machines), notes);
    else notes.push(`--num_machines absent: accelerate takes it from ${configFile ? "its --config_file" : "its default config (1)"}`);
    // Without a per-pod machine rank every pod would claim the same rank: one machine only.
    if (!lastFlag(launcher, "machine_rank")) {
      maxWorkers = 1;
      notes.push("no --machine_rank: accelerate launch cannot span several pods");
    }
  } else if (call.kind === "torchrun") {
    const nproc = lastFlag(launcher, "nproc_per_node");
    const nnodes = lastFlag(launcher, "nnodes");
    if (nproc) {
      const v = input(nproc);
      if (v.kind === "texts" && /^(auto|gpu|cpu|xpu)$/.test(v.texts[0] ?? "")) notes.push(`${nproc.spelled} ${v.texts[0]}: one process per visible device`);
      else settings.nprocPerNode = readCount(v, label(nproc), notes);
    } else {
      notes.push("--nproc_per_node absent: torchrun reads PET_NPROC_PER_NODE, set by the training operator");
    }
    if (nnodes) settings.numMachines = readNnodes(input(nnodes), label(nnodes), notes);
    else notes.push("--nnodes absent: torchrun reads PET_NNODES, set by the training operator");
    if (settings.nprocPerNode !== undefined && settings.numMachines !== undefined) settings.numProcesses = settings.nprocPerNode * settings.numMachines;
    if (lastFlag(launcher, "standalone")) {
      maxWorkers = 1;
      notes.push("torchrun --standalone runs on one machine");
    } else {
      const rank = lastFlag(launcher, "node_rank");
      if (rank && input(rank).kind === "texts") {
        maxWorkers = 1;
        notes.push(`${rank.spelled} is a constant: every pod would claim the same node rank`);
      }
    }
  } else {
    settings.numProcesses = 1;
    settings.numMachines = 1;
    notes.push("single-process launch (python): the webhook may convert it to torch.distributed.run for more GPUs");
  }

  const trainer = scanFlags(words, call.target + 1, words.length);
  for (const field of TRAINER_FIELDS) {
    const use = lastFlag(trainer, field.name);
    if (use) applyField(settings, notes, field, input(use), label(use));
  }
  const absent = NOTED_IF_ABSENT.filter((name) => !lastFlag(trainer, name));
  if (absent.length > 0) notes.push(`not set on the command line: ${absent.map((n) => `--${n}`).join(", ")} (fms-hf-tuning defaults apply)`);

  return { kind: call.kind, settings, perDeviceBatchRewritable: true, ...(maxWorkers !== undefined && { maxWorkers }), notes };
}

/** torchrun `--nnodes N` or elastic `MIN:MAX` (the job can grow to MAX). */
function readNnodes(input: FieldInput, label: string, notes: string[]): number | undefined {
  if (input.kind === "texts") {
    const range = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(input.texts[0] ?? "");
    if (range) return readCount({ kind: "texts", texts: [range[2]!] }, label, notes);
  }
  return readCount(input, label, notes);
}

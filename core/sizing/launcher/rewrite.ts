/**
 * Rewrites a container's launch for a new layout (W workers × G GPUs, per-device batch b) so that
 * launcher flags, trainer flags and the JSON config agree with the pods the webhook creates.
 * Values already equal to the target are left untouched (quoting, variables and all), which is
 * also what makes the rewrite idempotent: rewriting a rewrite changes nothing.
 */
import { lastFlag, scanFlags, type FlagUse } from "./argv.js";
import { flagInput } from "./cliSettings.js";
import { rewriteConfigJson } from "./configJson.js";
import { applyEdits, type Edit } from "./edits.js";
import { locateLaunch, type Located } from "./locate.js";
import { DEFAULT_PER_DEVICE_BATCH, parseCount } from "./settings.js";
import type { ContainerSpec, LaunchReading, LaunchRewrite, LaunchTarget } from "./types.js";

function validTarget(t: LaunchTarget): boolean {
  return [t.workers, t.gpusPerWorker, t.perDeviceBatch].every((n) => Number.isSafeInteger(n) && n >= 1);
}

export function rewriteLaunch(container: ContainerSpec, reading: LaunchReading, target: LaunchTarget): LaunchRewrite {
  try {
    if (!validTarget(target)) return {};
    if (reading.kind === "config-json") return rewriteConfigJson(container, target);
    const found = locateLaunch(container);
    // The container must still hold the launcher the reading came from.
    if (!found.ok || found.located.call.kind !== reading.kind) return {};
    const edits = planEdits(found.located, target);
    if (edits.length === 0) return {};
    const command = container.command ?? [];
    const args = container.args ?? [];
    const next = applyEdits(command, args, found.located.source, found.located.words, edits);
    return {
      ...(!sameArray(next.command, command) && { command: next.command }),
      ...(!sameArray(next.args, args) && { args: next.args }),
    };
  } catch {
    // Rewriting is best effort on input already read successfully; never fail an admission over it.
    return {};
  }
}

function sameArray(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The quote a script word's value was written with, so a rewritten value keeps its look. */
function quoteOf(text: string): string {
  return /^"[^"]*"$/.test(text) ? '"' : /^'[^']*'$/.test(text) ? "'" : "";
}

function planEdits(located: Located, target: LaunchTarget): Edit[] {
  const { words, call, scope, source } = located;
  const inScript = source.kind === "script";
  const edits: Edit[] = [];
  const launcherInserts: string[] = [];
  const launcher = scanFlags(words, call.launcherFrom, call.launcherTo);
  const trainer = scanFlags(words, call.target + 1, words.length);

  /** Sets a present flag to `value` unless it already resolves to it (or, with keepOperator, comes from the operator). */
  const setFlag = (use: FlagUse, value: number, keepOperator: boolean): void => {
    const current = flagInput(words, use, scope);
    if (current.kind === "texts" && parseCount(current.texts[0] ?? "") === value) return;
    if (keepOperator && current.kind === "operator") return;
    if (use.inline !== undefined) {
      const written = words[use.index]!.source;
      const q = inScript ? quoteOf(written.slice(written.indexOf("=") + 1)) : "";
      edits.push({ at: use.index, mode: "replace", texts: [`${use.spelled}=${q}${value}${q}`] });
    } else if (use.values.length > 0) {
      const at = use.values[0]!;
      const q = inScript ? quoteOf(words[at]!.source) : "";
      edits.push({ at, mode: "replace", texts: [`${q}${value}${q}`] });
    } else {
      edits.push({ at: use.index, mode: "after", texts: [String(value)] });
    }
  };
  const upsertLauncher = (names: string[], value: number, keepOperator: boolean): void => {
    const use = lastFlag(launcher, ...names);
    if (use) setFlag(use, value, keepOperator);
    else launcherInserts.push(`--${names[0]}`, String(value));
  };

  const { workers: w, gpusPerWorker: g, perDeviceBatch: b } = target;
  if (call.kind === "accelerate") {
    // accelerate's --num_processes is the total over all machines.
    upsertLauncher(["num_processes"], w * g, false);
    // `${WORLD_SIZE}` is right as it is: KFTO sets it to the number of pods (nprocPerNode "auto").
    upsertLauncher(["num_machines"], w, true);
  } else if (call.kind === "torchrun") {
    upsertLauncher(["nproc_per_node"], g, false);
    upsertLauncher(["nnodes"], w, true);
  } else if (w * g > 1) {
    // One python process cannot use several GPUs well (HF Trainer falls back to DataParallel) nor
    // several pods. torch.distributed.run needs nothing more than counts: the training operator
    // sets PET_NODE_RANK / PET_MASTER_ADDR / PET_MASTER_PORT, which it reads as defaults.
    const counts = ["--nnodes", String(w), "--nproc_per_node", String(g)];
    if (call.consoleScript) edits.push({ at: call.head, mode: "replace", texts: ["torchrun", ...counts, "-m", "tuning.sft_trainer"] });
    else edits.push({ at: call.launcherTo, mode: "before", texts: ["-m", "torch.distributed.run", ...counts] });
  }
  if (launcherInserts.length > 0) edits.push({ at: call.launcherTo, mode: "before", texts: launcherInserts });

  const batch = lastFlag(trainer, "per_device_train_batch_size");
  if (batch) setFlag(batch, b, false);
  else if (b !== DEFAULT_PER_DEVICE_BATCH) edits.push({ at: call.target, mode: "after", texts: ["--per_device_train_batch_size", String(b)] });
  return edits;
}

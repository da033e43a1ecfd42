/**
 * Recognises one simple command as a launch of fms-hf-tuning's trainer and splits it into the
 * launcher's own flags and the trainer's flags. What counts as "the trainer" is the module
 * `tuning.sft_trainer` or a script path ending in `sft_trainer.py`; everything before it belongs
 * to the launcher (`accelerate launch`, `torchrun`, `python -m torch.distributed.run`, plain
 * `python`), everything after it to the trainer.
 */
import type { LauncherKind } from "./types.js";
import { literalText, type Word } from "./words.js";

export interface LauncherCall {
  readonly kind: Exclude<LauncherKind, "config-json">;
  /** Index of the executable word (`accelerate`, `torchrun`, `python3`, `sft_trainer`). */
  readonly head: number;
  /** First word after the launcher's own name (`accelerate launch`, `python -m torch.distributed.run`). */
  readonly launcherFrom: number;
  /** End (exclusive) of the launcher's flags: the `-m`/`--module` word, or the target itself. */
  readonly launcherTo: number;
  /** The `tuning.sft_trainer` / `…/sft_trainer.py` word; the head itself for the `sft_trainer` console script. */
  readonly target: number;
  /** True when the target is the `sft_trainer` console script (no python word to reuse). */
  readonly consoleScript: boolean;
}

export type CallMatch =
  | { readonly kind: "launcher"; readonly call: LauncherCall }
  /** A command that is not an fms-hf-tuning launch; `runs` says what a python/launcher call runs instead. */
  | { readonly kind: "other"; readonly runs?: string };

const PYTHON = /^python(\d+(\.\d+)*)?$/;
const TORCH_RUN_MODULES = new Set(["torch.distributed.run", "torch.distributed.launch"]);

export function isTrainerTarget(text: string | undefined): boolean {
  return text === "tuning.sft_trainer" || (text !== undefined && /(^|\/)sft_trainer\.py$/.test(text));
}

function basename(text: string | undefined): string | undefined {
  return text === undefined ? undefined : text.slice(text.lastIndexOf("/") + 1);
}

/** Skips command prefixes that run the next word: `exec`, `nohup`, `time`, `env [-i] [NAME=V…]`. */
function skipPrefixes(words: readonly Word[]): number {
  let i = 0;
  for (;;) {
    const name = basename(literalText(words[i]));
    if (name === "exec" || name === "nohup" || name === "time") {
      i++;
      while (literalText(words[i])?.startsWith("-")) i++;
    } else if (name === "env") {
      i++;
      for (let t = literalText(words[i]); t !== undefined && (t.startsWith("-") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)); t = literalText(words[i])) i += t === "-u" ? 2 : 1;
    } else {
      return i;
    }
  }
}

export function matchCall(words: readonly Word[]): CallMatch {
  const head = skipPrefixes(words);
  const headText = literalText(words[head]);
  const name = basename(headText);
  if (name === undefined) return { kind: "other" };
  if (name === "accelerate" && literalText(words[head + 1]) === "launch") return withTarget(words, "accelerate", head, head + 2, "accelerate launch");
  if (name === "accelerate-launch") return withTarget(words, "accelerate", head, head + 1, name);
  if (name === "torchrun") return withTarget(words, "torchrun", head, head + 1, name);
  if (name === "sft_trainer") {
    return { kind: "launcher", call: { kind: "python", head, launcherFrom: head, launcherTo: head, target: head, consoleScript: true } };
  }
  if (PYTHON.test(name)) return matchPython(words, head, headText!);
  return { kind: "other" };
}

function matchPython(words: readonly Word[], head: number, python: string): CallMatch {
  let i = head + 1;
  // Interpreter options before the module/script (`-u`, `-B`, `-X dev`, `-W ignore`).
  for (let t = literalText(words[i]); t !== undefined && /^-[A-Za-z]+$/.test(t) && t !== "-m" && t !== "-c"; t = literalText(words[i])) {
    i += t === "-X" || t === "-W" ? 2 : 1;
  }
  const text = literalText(words[i]);
  if (text === "-m") {
    const module = literalText(words[i + 1]);
    if (module !== undefined && TORCH_RUN_MODULES.has(module)) return withTarget(words, "torchrun", head, i + 2, `${python} -m ${module}`);
    if (module === "accelerate.commands.launch") return withTarget(words, "accelerate", head, i + 2, `${python} -m ${module}`);
    if (module === "tuning.sft_trainer") {
      return { kind: "launcher", call: { kind: "python", head, launcherFrom: i, launcherTo: i, target: i + 1, consoleScript: false } };
    }
    return { kind: "other", runs: `${python} -m ${module ?? "…"}` };
  }
  if (isTrainerTarget(text)) return { kind: "launcher", call: { kind: "python", head, launcherFrom: i, launcherTo: i, target: i, consoleScript: false } };
  return { kind: "other", runs: `${python} ${text ?? words[i]?.source ?? ""}`.trim() };
}

function withTarget(words: readonly Word[], kind: "accelerate" | "torchrun", head: number, from: number, launcher: string): CallMatch {
  for (let i = from; i < words.length; i++) {
    if (!isTrainerTarget(literalText(words[i]))) continue;
    const flag = i > from ? literalText(words[i - 1]) : undefined;
    const launcherTo = flag === "-m" || flag === "--module" ? i - 1 : i;
    return { kind: "launcher", call: { kind, head, launcherFrom: from, launcherTo, target: i, consoleScript: false } };
  }
  // Say what it runs instead: the word after -m/--module, else the first *.py.
  let runs: string | undefined;
  for (let i = from; i < words.length && runs === undefined; i++) {
    const t = literalText(words[i]);
    if ((t === "-m" || t === "--module") && words[i + 1] !== undefined) runs = `-m ${words[i + 1]!.source}`;
    else if (t?.endsWith(".py")) runs = t;
  }
  return { kind: "other", runs: `${launcher} ${runs ?? "without tuning.sft_trainer"}` };
}

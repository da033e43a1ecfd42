/**
 * Finds the single fms-hf-tuning launcher call of a container, whether argv is the launcher
 * itself or a `sh -c` script that runs it among other commands. Reading and rewriting both start
 * here, so they always agree on which words are the launcher's.
 */
import { envScope, withLocals, type EnvScope } from "./env.js";
import { matchCall, type LauncherCall } from "./launchers.js";
import { findShellScript, parseScript } from "./shellScript.js";
import type { ContainerSpec } from "./types.js";
import { argvWord, type Word } from "./words.js";

/** Where the launcher's words live: straight in argv, or inside the script at argv[argvIndex]. */
export type LaunchSource = { readonly kind: "argv" } | { readonly kind: "script"; readonly shell: string; readonly argvIndex: number; readonly script: string };

export interface Located {
  readonly source: LaunchSource;
  readonly words: readonly Word[];
  readonly call: LauncherCall;
  readonly scope: EnvScope;
}

export type LocateResult =
  | { readonly ok: true; readonly located: Located }
  /** A hard failure (script does not parse, several launchers): no fallback applies. */
  | { readonly ok: false; readonly fatal: true; readonly reason: string }
  /** No launcher call; `seen` says what the command runs instead, for the operator. */
  | { readonly ok: false; readonly fatal: false; readonly seen?: string };

export function argvOf(container: ContainerSpec): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])];
}

export function locateLaunch(container: ContainerSpec): LocateResult {
  const argv = argvOf(container);
  const scope = envScope(container);
  if (argv.length === 0) return { ok: false, fatal: false };

  const shell = findShellScript(argv);
  if (shell === undefined) {
    const words = argv.map(argvWord);
    const match = matchCall(words);
    if (match.kind === "launcher") return { ok: true, located: { source: { kind: "argv" }, words, call: match.call, scope } };
    return { ok: false, fatal: false, seen: match.runs ?? `"${abbreviate(argv.join(" "))}"` };
  }
  if (shell.kind === "file") return { ok: false, fatal: false, seen: `${shell.shell} ${shell.path} (script files are not read; put the script inline with ${shell.shell} -c)` };
  if (shell.kind === "missing") return { ok: false, fatal: false, seen: `${shell.shell} without a script` };

  const script = argv[shell.scriptIndex]!;
  const parsed = parseScript(script);
  if (!parsed.ok) return { ok: false, fatal: true, reason: `cannot parse the ${shell.shell} -c script: ${parsed.error}` };

  const found: Located[] = [];
  const others: string[] = [];
  for (const shellCall of parsed.calls) {
    const match = matchCall(shellCall.words);
    if (match.kind === "launcher") {
      const source: LaunchSource = { kind: "script", shell: shell.shell, argvIndex: shell.scriptIndex, script };
      found.push({ source, words: shellCall.words, call: match.call, scope: withLocals(scope, shellCall.locals) });
    } else if (match.runs !== undefined) {
      others.push(match.runs);
    }
  }
  if (found.length > 1) return { ok: false, fatal: true, reason: `${found.length} launcher calls in the script; cannot tell which to size` };
  if (found.length === 1) return { ok: true, located: found[0]! };
  return { ok: false, fatal: false, ...(others.length > 0 && { seen: others.map((o) => abbreviate(o)).join("; ") }) };
}

function abbreviate(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

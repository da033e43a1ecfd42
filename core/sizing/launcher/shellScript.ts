/**
 * `sh -c SCRIPT` handling: find the script in argv, parse it with mvdan-sh (the parser the original
 * Go controller uses), and turn every simple command into plain `Word` lists, wherever it sits
 * (`&&`, `;`, pipelines, subshells, `if` bodies, functions).
 *
 * Parsing is by far the slowest step (~0.6 ms for a 20-line script, against a ~40 µs budget per
 * admission review), and the same job templates come back again and again, so results are kept in
 * a small LRU keyed by the script text. Cached values are plain frozen data, never AST nodes, so
 * callers cannot corrupt them.
 *
 * Rewriting does not go through the mvdan-sh printer: edits are spliced into the original text at
 * the offsets the parser reports (see edits.ts), which keeps every untouched byte — quoting,
 * comments, line continuations, trailing `echo` lines — exactly as the user wrote it.
 */
import sh from "mvdan-sh";
import { isVarName, pushPiece, type Piece, type Word } from "./words.js";

export interface ShellCall {
  readonly words: readonly Word[];
  /** Literal script assignments (`X=8`, `export X=8`) made before this call, by name. */
  readonly locals: ReadonlyMap<string, readonly Piece[]>;
}

export type ScriptParse = { readonly ok: true; readonly calls: readonly ShellCall[] } | { readonly ok: false; readonly error: string };

const SHELLS = new Set(["sh", "bash", "dash", "ash"]);

export type ShellInvocation =
  | { readonly kind: "inline"; readonly shell: string; readonly scriptIndex: number }
  | { readonly kind: "file"; readonly shell: string; readonly path: string }
  | { readonly kind: "missing"; readonly shell: string };

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Recognises `sh -c SCRIPT` in argv, including combined flags (`-ec`, `-xc`, `-lc`, `-euxo pipefail -c`),
 * long options (`--login`) and a leading `env [NAME=V…]`. Returns undefined when argv[0] is no shell.
 */
export function findShellScript(argv: readonly string[]): ShellInvocation | undefined {
  let i = 0;
  if (argv[0] !== undefined && basename(argv[0]) === "env") {
    i = 1;
    while (i < argv.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!) || argv[i]!.startsWith("-"))) i += argv[i] === "-u" ? 2 : 1;
  }
  const head = argv[i];
  if (head === undefined || !SHELLS.has(basename(head))) return undefined;
  const shell = basename(head);
  let sawC = false;
  i++;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === "--" || a === "-") {
      i++;
      break;
    }
    if (a.startsWith("--")) {
      i += a === "--rcfile" || a === "--init-file" ? 2 : 1;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) break;
    if (a.startsWith("-") && a.includes("c")) sawC = true;
    // `-o NAME` (also inside a cluster, `-euo pipefail`) consumes the next word.
    i += a.includes("o") ? 2 : 1;
  }
  if (sawC) return i < argv.length ? { kind: "inline", shell, scriptIndex: i } : { kind: "missing", shell };
  if (i < argv.length) return { kind: "file", shell, path: argv[i]! };
  return { kind: "missing", shell };
}

// ---- parse cache -------------------------------------------------------------------------------

const CACHE_ENTRIES = 256;
// Bounds the cache's memory (≤ 256 × 64 KiB); larger scripts are parsed every time.
const CACHE_MAX_SCRIPT = 64 * 1024;
const cache = new Map<string, ScriptParse>();

/** Parses a script into its simple commands; memoised (LRU, 256 entries). Never throws. */
export function parseScript(script: string): ScriptParse {
  const hit = cache.get(script);
  if (hit !== undefined) {
    cache.delete(script);
    cache.set(script, hit);
    return hit;
  }
  const result = deepFreeze(parseUncached(script));
  if (script.length <= CACHE_MAX_SCRIPT) {
    cache.set(script, result);
    if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const parser = sh.syntax.NewParser();

function parseUncached(script: string): ScriptParse {
  let file: sh.File;
  try {
    file = parser.Parse(script, "");
  } catch (e) {
    // mvdan-sh throws Go ParseError objects: `Error()` reads "line:col: message".
    const message = typeof (e as sh.ParseError)?.Error === "function" ? (e as sh.ParseError).Error() : String(e);
    return { ok: false, error: message };
  }
  try {
    return { ok: true, calls: collectCalls(file, script) };
  } catch (e) {
    return { ok: false, error: `unexpected shell syntax tree: ${String(e)}` };
  }
}

/** mvdan-sh reports UTF-8 byte offsets; JS strings index UTF-16 code units. */
function byteToIndex(script: string): (offset: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(script)) return (offset) => offset;
  const map: number[] = [];
  let i = 0;
  for (const ch of script) {
    const cp = ch.codePointAt(0)!;
    const bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let b = 0; b < bytes; b++) map.push(i);
    i += ch.length;
  }
  map.push(i);
  return (offset) => map[offset] ?? i;
}

function collectCalls(file: sh.File, script: string): ShellCall[] {
  const syntax = sh.syntax;
  const at = byteToIndex(script);
  const calls: ShellCall[] = [];
  let locals = new Map<string, readonly Piece[]>();
  let snapshot: ReadonlyMap<string, readonly Piece[]> = new Map();
  let dirty = false;

  const assign = (a: sh.Assign) => {
    if (a.Name === null || a.Naked) return;
    const name = a.Name.Value;
    const value: readonly Piece[] = a.Append
      ? [{ kind: "opaque", source: `${name}+=…` }]
      : a.Value === null
        ? [{ kind: "opaque", source: `${name}=(…)` }]
        : toWord(a.Value, script, at).pieces;
    locals = new Map(locals).set(name, value);
    dirty = true;
  };

  syntax.Walk(file, (node) => {
    if (node === null) return true;
    const type = syntax.NodeType(node);
    if (type === "CallExpr") {
      const call = node as sh.CallExpr;
      // Bare `X=1` changes the shell's variables; `X=1 cmd` only the command's environment.
      if (call.Args.length === 0) {
        for (const a of call.Assigns) assign(a);
        return false;
      }
      if (dirty) {
        snapshot = locals;
        dirty = false;
      }
      calls.push({ words: call.Args.map((w) => toWord(w, script, at)), locals: snapshot });
      // Keep walking: `$(…)` inside the arguments may hold commands too.
      return true;
    }
    if (type === "DeclClause") {
      const decl = node as sh.DeclClause;
      if (["export", "declare", "typeset", "local", "readonly"].includes(decl.Variant.Value)) for (const a of decl.Args) assign(a);
      return false;
    }
    return true;
  });
  return calls;
}

function toWord(node: sh.Word, script: string, at: (offset: number) => number): Word {
  const start = at(node.Pos().Offset());
  const end = at(node.End().Offset());
  const pieces: Piece[] = [];
  addParts(node.Parts, false, pieces, script, at);
  return { pieces, source: script.slice(start, end), start, end };
}

const PARAM_PLAIN = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/;
// `${NAME:-fallback}` / `${NAME-fallback}` with a plain literal fallback.
const PARAM_DEFAULT = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^$`"'\\{}]*)\}$/;
// Kubernetes expands `$(NAME)` in command/args before the shell ever sees it.
const KUBE_REF = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/;

function addParts(parts: readonly sh.Node[], quoted: boolean, pieces: Piece[], script: string, at: (offset: number) => number): void {
  const syntax = sh.syntax;
  for (const part of parts) {
    const type = syntax.NodeType(part);
    const source = script.slice(at(part.Pos().Offset()), at(part.End().Offset()));
    switch (type) {
      case "Lit": {
        const raw = (part as sh.Lit).Value;
        const text = quoted ? raw.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === "\n" ? "" : c)) : raw.replace(/\\\n/g, "").replace(/\\(.)/gs, "$1");
        pushPiece(pieces, { kind: "lit", text });
        break;
      }
      case "SglQuoted": {
        const q = part as sh.SglQuoted;
        // `$'…'` escapes are only taken literally when there are none.
        if (q.Dollar && q.Value.includes("\\")) pushPiece(pieces, { kind: "opaque", source });
        else pushPiece(pieces, { kind: "lit", text: q.Value });
        break;
      }
      case "DblQuoted":
        addParts((part as sh.DblQuoted).Parts, true, pieces, script, at);
        break;
      case "ParamExp": {
        const plain = PARAM_PLAIN.exec(source);
        const withDefault = plain === null ? PARAM_DEFAULT.exec(source) : null;
        if (plain !== null) pushPiece(pieces, { kind: "var", name: (plain[1] ?? plain[2])!, source });
        else if (withDefault !== null) pushPiece(pieces, { kind: "var", name: withDefault[1]!, fallback: withDefault[2]!, source });
        else pushPiece(pieces, { kind: "opaque", source });
        break;
      }
      case "CmdSubst": {
        const ref = KUBE_REF.exec(source);
        if (ref !== null && isVarName(ref[1]!)) pushPiece(pieces, { kind: "var", name: ref[1]!, source });
        else pushPiece(pieces, { kind: "opaque", source });
        break;
      }
      default:
        pushPiece(pieces, { kind: "opaque", source });
    }
  }
}

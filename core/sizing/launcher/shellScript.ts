/**
 * `sh -c SCRIPT` handling: find the script in argv, parse it (shellAst.ts, mvdan-sh: the parser the
 * original Go controller uses), and turn every simple command into plain `Word` lists, wherever it
 * sits (`&&`, `;`, pipelines, subshells, `if` bodies, functions), with the script's own literal
 * variable assignments that precede it.
 *
 * Parsing costs ~1–2 ms for a 20-line accelerate script (the GopherJS parser alone ~0.7 ms),
 * against a ~40 µs budget per admission review; the same job templates come back again and
 * again, so results are kept in a small LRU keyed by the script text. Cached values are plain
 * data, never syntax nodes, and are frozen so no caller can change what the next one reads.
 *
 * Rewriting does not go through the mvdan-sh printer: edits are spliced into the original text at
 * the offsets the parser reports (see edits.ts), which keeps every untouched byte — quoting,
 * comments, line continuations, trailing `echo` lines — exactly as the user wrote it.
 */
import { parseShell, type RawPart, type RawWord } from "./shellAst.js";
import { pushPiece, type Piece, type Word } from "./words.js";

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
// Bounds the cache's memory (≤ 256 × 64 Ki characters); larger scripts are parsed every time.
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

function parseUncached(script: string): ScriptParse {
  const parsed = parseShell(script);
  if (!parsed.ok) return parsed;
  const at = byteToIndex(script);
  const toPieces = (w: RawWord | undefined): Piece[] => {
    const pieces: Piece[] = [];
    if (w !== undefined) addParts(w.parts, false, pieces, script, at);
    return pieces;
  };

  // Script variables visible to a call: literal assignments that come before it in the text.
  const assigns = [...parsed.assigns].sort((a, b) => a.offset - b.offset);
  const calls = [...parsed.calls].sort((a, b) => a.offset - b.offset);
  let locals: ReadonlyMap<string, readonly Piece[]> = new Map();
  let next = 0;
  return {
    ok: true,
    calls: calls.map((call) => {
      if (next < assigns.length && assigns[next]!.offset < call.offset) {
        const grown = new Map(locals);
        for (; next < assigns.length && assigns[next]!.offset < call.offset; next++) {
          const a = assigns[next]!;
          grown.set(a.name, a.complex ? [{ kind: "opaque", source: `$${a.name} (an array or += assignment)` }] : toPieces(a.value));
        }
        locals = grown;
      }
      const words = call.words.map((w): Word => {
        const start = at(w.start);
        const end = at(w.end);
        return { pieces: toPieces(w), source: script.slice(start, end), start, end };
      });
      return { words, locals };
    }),
  };
}

/** mvdan-sh reports UTF-8 byte offsets; JS strings index UTF-16 code units. */
function byteToIndex(script: string): (offset: number) => number {
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

const PARAM_PLAIN = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/;
// `${NAME:-fallback}` / `${NAME-fallback}` with a plain literal fallback.
const PARAM_DEFAULT = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^$`"'\\{}]*)\}$/;
// Kubernetes expands `$(NAME)` in command/args before the shell ever sees it.
const KUBE_REF = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/;

/** Word parts to pieces. Values come from the source text (the parser's own strings are UTF-8 bytes). */
function addParts(parts: readonly RawPart[], quoted: boolean, pieces: Piece[], script: string, at: (offset: number) => number): void {
  for (const part of parts) {
    const source = script.slice(at(part.start), at(part.end));
    switch (part.type) {
      case "Lit": {
        // Unquoted: `\x` is x and `\<newline>` vanishes; inside "…" only \$ \` \" \\ \<newline> are escapes.
        const text = quoted ? source.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === "\n" ? "" : c)) : source.replace(/\\\n/g, "").replace(/\\(.)/gs, "$1");
        pushPiece(pieces, { kind: "lit", text });
        break;
      }
      case "SglQuoted": {
        const inner = part.dollar ? source.slice(2, -1) : source.slice(1, -1);
        // `$'…'` escapes are only taken literally when there are none.
        if (part.dollar && inner.includes("\\")) pushPiece(pieces, { kind: "opaque", source });
        else pushPiece(pieces, { kind: "lit", text: inner });
        break;
      }
      case "DblQuoted":
        addParts(part.parts, true, pieces, script, at);
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
        if (ref !== null) pushPiece(pieces, { kind: "var", name: ref[1]!, source });
        else pushPiece(pieces, { kind: "opaque", source });
        break;
      }
      default:
        pushPiece(pieces, { kind: "opaque", source });
    }
  }
}

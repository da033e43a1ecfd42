/**
 * One command-line word as the reader sees it: a sequence of literal text and variable
 * references, plus where it sits in its source. The same shape is built from a shell script
 * (shellScript.ts) and from a bare Kubernetes argv (here), so flag scanning and launcher
 * recognition do not care which of the two they are looking at.
 */

export type Piece =
  | { readonly kind: "lit"; readonly text: string }
  /** `$NAME`, `${NAME}`, `${NAME:-fallback}`, Kubernetes `$(NAME)`. */
  | { readonly kind: "var"; readonly name: string; readonly fallback?: string; readonly source: string }
  /** Anything whose value only exists at run time: `$(cmd)`, `$((1+2))`, `$@`, `${x/a/b}`, … */
  | { readonly kind: "opaque"; readonly source: string };

export interface Word {
  readonly pieces: readonly Piece[];
  /** The word exactly as written (script text, or the argv element). */
  readonly source: string;
  /** Script: UTF-16 offsets of the word in the script. Argv: index and index + 1. */
  readonly start: number;
  readonly end: number;
}

/** The text of a word when it is entirely literal (no variable, no run-time expansion). */
export function literalText(word: Word | undefined): string | undefined {
  if (word === undefined) return undefined;
  let text = "";
  for (const piece of word.pieces) {
    if (piece.kind !== "lit") return undefined;
    text += piece.text;
  }
  return text;
}

/** Appends a piece, merging adjacent literals so `"--a="'b'` reads as one literal `--a=b`. */
export function pushPiece(pieces: Piece[], piece: Piece): void {
  const last = pieces[pieces.length - 1];
  if (piece.kind === "lit" && last?.kind === "lit") {
    pieces[pieces.length - 1] = { kind: "lit", text: last.text + piece.text };
  } else if (piece.kind !== "lit" || piece.text !== "") {
    pieces.push(piece);
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isVarName(text: string): boolean {
  return NAME.test(text);
}

/**
 * Splits one argv element into pieces. No shell runs here, so the only expansion that really
 * happens is Kubernetes' own `$(NAME)` (with `$$` as the escape). `$NAME` / `${NAME}` are read as
 * references too, as the original controller did: users write them expecting a shell, and the
 * value they meant is what matters for sizing.
 */
export function argvWord(text: string, index: number): Word {
  const pieces: Piece[] = [];
  let lit = "";
  const flush = () => {
    pushPiece(pieces, { kind: "lit", text: lit });
    lit = "";
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== "$") {
      lit += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      // Kubernetes: `$$` is a literal `$`.
      lit += "$";
      i += 2;
      continue;
    }
    const match = /^\$(?:\(([A-Za-z_][A-Za-z0-9_]*)\)|\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
    if (match === null) {
      lit += ch;
      i++;
      continue;
    }
    flush();
    pieces.push({ kind: "var", name: (match[1] ?? match[2] ?? match[3])!, source: match[0] });
    i += match[0].length;
  }
  flush();
  return { pieces, source: text, start: index, end: index + 1 };
}

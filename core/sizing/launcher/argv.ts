/**
 * Flag scanning over a run of words, the argparse way the launchers and HfArgumentParser read
 * them: `--flag value`, `--flag=value`, bare boolean `--flag`, and list flags that take every
 * value up to the next flag (`--target_modules q_proj v_proj`).
 */
import type { Piece, Word } from "./words.js";

export interface FlagUse {
  /** Normalised name: no leading dashes, `-` as `_` (argparse accepts both spellings). */
  readonly name: string;
  /** The flag as written, e.g. `--num-processes`; kept when the value is rewritten. */
  readonly spelled: string;
  /** Index of the flag's word. */
  readonly index: number;
  /** `--name=value`: the pieces after `=`. */
  readonly inline?: readonly Piece[];
  /** Indices of the words that follow `--name` up to the next flag. */
  readonly values: readonly number[];
}

const FLAG = /^--?[A-Za-z_]/;
const FLAG_NAME = /^--?[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A word starts a flag when it begins with literal `-x`/`--x`; `-1` is a value, so is `$X`. */
export function isFlagWord(word: Word): boolean {
  const first = word.pieces[0];
  return first?.kind === "lit" && FLAG.test(first.text);
}

export function normaliseFlag(spelled: string): string {
  return spelled.replace(/^--?/, "").replace(/-/g, "_");
}

// Scans of the same (cached, shared) script words are memoised: the webhook reads and then
// rewrites the same launcher for every review, and scanning ~80 words is most of that cost.
const scans = new WeakMap<readonly Word[], Map<number, readonly FlagUse[]>>();

/** Scans words[from, to) into flag uses, in order. Words before the first flag are skipped. */
export function scanFlags(words: readonly Word[], from: number, to: number): readonly FlagUse[] {
  let byRange = scans.get(words);
  if (byRange === undefined) scans.set(words, (byRange = new Map()));
  const key = from * (words.length + 1) + to;
  let uses = byRange.get(key);
  if (uses === undefined) byRange.set(key, (uses = Object.freeze(scan(words, from, to))));
  return uses;
}

function scan(words: readonly Word[], from: number, to: number): FlagUse[] {
  const uses: FlagUse[] = [];
  let i = from;
  while (i < to && !isFlagWord(words[i]!)) i++;
  while (i < to) {
    const word = words[i]!;
    const first = word.pieces[0] as Extract<Piece, { kind: "lit" }>;
    const eq = first.text.indexOf("=");
    let spelled: string;
    let inline: Piece[] | undefined;
    if (eq > 0 && FLAG_NAME.test(first.text.slice(0, eq))) {
      spelled = first.text.slice(0, eq);
      inline = [{ kind: "lit", text: first.text.slice(eq + 1) }, ...word.pieces.slice(1)];
    } else {
      spelled = first.text;
    }
    const values: number[] = [];
    let j = i + 1;
    while (j < to && !isFlagWord(words[j]!)) values.push(j++);
    uses.push({ name: normaliseFlag(spelled), spelled, index: i, inline, values });
    i = j;
  }
  return uses;
}

/** The use that counts (argparse: the last one wins) of any of `names` (normalised). */
export function lastFlag(uses: readonly FlagUse[], ...names: string[]): FlagUse | undefined {
  for (let k = uses.length - 1; k >= 0; k--) if (names.includes(uses[k]!.name)) return uses[k];
  return undefined;
}

/** The value(s) of a use as piece lists: one for `--a=v`, the following words otherwise. */
export function flagValues(words: readonly Word[], use: FlagUse): Array<readonly Piece[]> {
  if (use.inline !== undefined) return [use.inline];
  return use.values.map((i) => words[i]!.pieces);
}

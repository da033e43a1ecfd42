/**
 * Word-level edits of a launcher call and how they land in the container: spliced into the
 * `sh -c` script text at the word offsets, or into the command/args arrays. Splicing (rather
 * than re-printing the parsed script) leaves every untouched byte as the user wrote it.
 */
import type { LaunchSource } from "./locate.js";
import type { Word } from "./words.js";

export interface Edit {
  /** Index of the word in the call. */
  readonly at: number;
  /** Replace the word, or insert new words before / after it. */
  readonly mode: "replace" | "before" | "after";
  /** New words; they are plain tokens (flags and numbers) that need no shell quoting. */
  readonly texts: readonly string[];
}

interface Grouped {
  before: string[];
  replace?: readonly string[];
  after: string[];
}

function group(edits: readonly Edit[]): Map<number, Grouped> {
  const byWord = new Map<number, Grouped>();
  for (const edit of edits) {
    const g = byWord.get(edit.at) ?? { before: [], after: [] };
    if (edit.mode === "before") g.before.push(...edit.texts);
    else if (edit.mode === "after") g.after.push(...edit.texts);
    else g.replace = edit.texts;
    byWord.set(edit.at, g);
  }
  return byWord;
}

export function spliceScript(script: string, words: readonly Word[], edits: readonly Edit[]): string {
  const byWord = [...group(edits)].sort((a, b) => a[0] - b[0]);
  let out = "";
  let cursor = 0;
  for (const [at, g] of byWord) {
    const word = words[at]!;
    out += script.slice(cursor, word.start);
    if (g.before.length > 0) out += `${g.before.join(" ")} `;
    out += g.replace !== undefined ? g.replace.join(" ") : word.source;
    if (g.after.length > 0) out += ` ${g.after.join(" ")}`;
    cursor = word.end;
  }
  return out + script.slice(cursor);
}

/**
 * Applies edits to argv (words[i].start is the argv index) and splits the result back into
 * command and args: inserted words go to the array that holds the word they are anchored to.
 */
export function editArgv(command: readonly string[], args: readonly string[], words: readonly Word[], edits: readonly Edit[]): { command: string[]; args: string[] } {
  const byIndex = new Map([...group(edits)].map(([at, g]) => [words[at]!.start, g]));
  const out = { command: [] as string[], args: [] as string[] };
  const all = [...command, ...args];
  all.forEach((value, i) => {
    const into = i < command.length ? out.command : out.args;
    const g = byIndex.get(i);
    if (g === undefined) {
      into.push(value);
      return;
    }
    into.push(...g.before, ...(g.replace ?? [value]), ...g.after);
  });
  return out;
}

/** Applies edits to the container's command/args, wherever the launcher words live. */
export function applyEdits(command: readonly string[], args: readonly string[], source: LaunchSource, words: readonly Word[], edits: readonly Edit[]): { command: string[]; args: string[] } {
  if (source.kind === "argv") return editArgv(command, args, words, edits);
  const script = spliceScript(source.script, words, edits);
  const inCommand = source.argvIndex < command.length;
  const nextCommand = [...command];
  const nextArgs = [...args];
  if (inCommand) nextCommand[source.argvIndex] = script;
  else nextArgs[source.argvIndex - command.length] = script;
  return { command: nextCommand, args: nextArgs };
}

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fixturesDir = fileURLToPath(new URL("../../fixtures/node/", import.meta.url));

export function readNodeFixture(name: string): string {
  return readFileSync(fixturesDir + name, "utf8");
}

/**
 * Splits a capture that holds several commands, each introduced by a `$ command` prompt line, into the
 * output of each, in order (rtx-vs-a100 and sysfs fixtures). `command` is without `$ ` and comments.
 */
export function outputsByPrompt(text: string): { command: string; output: string }[] {
  const out: { command: string; output: string }[] = [];
  for (const line of text.split("\n")) {
    const prompt = /^\$ (.*?)\s*(?:#.*)?$/.exec(line);
    const last = out[out.length - 1];
    if (prompt) out.push({ command: prompt[1] ?? "", output: "" });
    else if (last) last.output += `${line}\n`;
  }
  return out;
}

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../platform/errors.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

describe("error catalogue", () => {
  it("documents every error code", () => {
    expect(documented.filter((c) => !(ERROR_CODES as readonly string[]).includes(c!))).toEqual([]);
  });
  it("has a code for every documented entry", () => {
    expect([...ERROR_CODES].filter((c) => !documented.includes(c))).toEqual([]);
  });

  it("has an entry for every code the sources emit (StewardError codes and JSON/log `code` fields)", () => {
    const root = new URL("../../", import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const path = join(dir, f);
        return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
      });
    const emitted = new Set<string>();
    for (const dir of ["cmd", "core", "platform", "webhook", "extender"]) {
      for (const file of files(join(root, dir))) {
        // Comments may quote other codes (errno names in docs of fs behaviour): code only.
        const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
        for (const m of text.matchAll(/(?:code: |StewardError\()"([A-Z][A-Z_]+)"/g)) emitted.add(m[1]!);
      }
    }
    expect([...emitted].filter((c) => !(ERROR_CODES as readonly string[]).includes(c)).sort()).toEqual([]);
  });
});

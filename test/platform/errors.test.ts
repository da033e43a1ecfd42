import { readFileSync } from "node:fs";
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
});

/**
 * The layering rules of ARCHITECTURE.md, checked on every import: core/ is pure (only core/, and
 * the parsing libraries it was built on), components never import each other (what they share goes
 * down into core/ or platform/), and platform/ knows no component.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(new URL("..", import.meta.url).pathname);
const COMPONENTS = ["webhook", "extender", "nodeagent", "autoscaler"];
const CORE_PACKAGES = new Set(["zod", "mvdan-sh"]);

function sources(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const f of entries) {
    const path = join(dir, f);
    if (statSync(join(root, path)).isDirectory()) out = out.concat(sources(path));
    else if (f.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every import/export-from target of a file: package names, or paths relative to the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s+"([^"]+)"/g)].map((m) => {
    const spec = m[1]!;
    return spec.startsWith(".") ? relative(root, resolve(root, dirname(file), spec)) : spec;
  });
}

const top = (path: string) => path.split("/")[0]!;

describe("layering", () => {
  it("core/ imports only core/ and its parsing libraries (no I/O, no platform, no components)", () => {
    const bad = sources("core").flatMap((f) =>
      importsOf(f)
        .filter((i) => (i.startsWith("node:") || !i.includes("/") || i.startsWith("@") ? !CORE_PACKAGES.has(i) : top(i) !== "core"))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("components import core/, platform/ and themselves, never each other", () => {
    const bad = COMPONENTS.flatMap((c) =>
      sources(c).flatMap((f) =>
        importsOf(f)
          .filter((i) => COMPONENTS.includes(top(i)) && top(i) !== c)
          .map((i) => `${f} imports ${i}`),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("platform/ imports no component", () => {
    const bad = sources("platform").flatMap((f) => importsOf(f).filter((i) => COMPONENTS.includes(top(i)) || top(i) === "cmd").map((i) => `${f} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it("finds the imports it checks (the scan is not vacuous)", () => {
    expect(sources("core").length).toBeGreaterThan(50);
    expect(importsOf("webhook/admit.ts")).toContain("fast-json-patch");
    expect(importsOf("webhook/admit.ts")).toContain("webhook/gate.js");
  });
});

import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("..", import.meta.url);
const dockerfile = readFileSync(new URL("Dockerfile", root), "utf8");
const build = JSON.parse(readFileSync(new URL("tsconfig.build.json", root), "utf8")) as { include: string[] };

describe("Dockerfile", () => {
  it("copies every source the build compiles (a folder it misses fails the image build)", () => {
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)].map((m) => m[1]);
    const needed = build.include.filter((p) => existsSync(new URL(p, root)));
    expect(needed.filter((p) => !copied.includes(p))).toEqual([]);
  });

  it("runs as a non-root user", () => {
    expect(dockerfile).toMatch(/^USER (?!0\b|root)\d+/m);
  });
});

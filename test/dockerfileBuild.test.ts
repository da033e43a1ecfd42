/**
 * There is no container engine where CI runs, so the image's build stage is checked by running what it
 * runs: the files its COPY lines bring in, copied to an empty directory, `npm run build` there (with
 * this checkout's node_modules standing in for the stage's `npm ci`), and the compiled entry point
 * started the way the runtime stage starts it.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
/** Everything before the second FROM: the build stage. */
const buildStage = dockerfile.slice(0, [...dockerfile.matchAll(/^FROM /gm)][1]?.index ?? dockerfile.length);
const work = mkdtempSync(path.join(tmpdir(), "steward-image-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("Dockerfile build stage, run without an engine", () => {
  it("builds from exactly what the stage copies, and the compiled image answers", () => {
    const copies = [...buildStage.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) => m[1]!.trim().split(/\s+/));
    expect(copies.length).toBeGreaterThan(3);
    for (const parts of copies) {
      const dest = parts.at(-1)!;
      for (const src of parts.slice(0, -1)) cpSync(path.join(root, src), path.join(work, dest === "./" ? path.basename(src) : dest), { recursive: true });
    }
    symlinkSync(path.join(root, "node_modules"), path.join(work, "node_modules"), "dir");
    // The stage's `RUN npm run build && npm prune --omit=dev`: the build (pruning would touch this checkout's modules).
    expect(buildStage).toMatch(/^RUN npm run build && npm prune --omit=dev$/m);
    execFileSync("npm", ["run", "build", "--silent"], { cwd: work, stdio: "pipe" });
    expect(existsSync(path.join(work, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(work, "dist/nodeagent/podResources/podresources_v1.proto"))).toBe(true);
    // The runtime stage's entry point: `node /app/dist/main.js "$@"` with package.json beside dist/.
    const help = execFileSync(process.execPath, [path.join(work, "dist/main.js"), "agent", "--help"], { cwd: work, encoding: "utf8" });
    expect(help).toMatch(/--poll-interval/);
    const version = execFileSync(process.execPath, ["--input-type=module", "-e", `const m = await import(${JSON.stringify(path.join(work, "dist/platform/version.js"))}); console.log(m.STEWARD_VERSION)`], { encoding: "utf8" }).trim();
    expect(version).toBe((JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version);
  }, 240_000);

  it("labels the image with its version and source", () => {
    expect(dockerfile).toMatch(/org\.opencontainers\.image\.version="\$\{VERSION\}"/);
    expect(dockerfile).toMatch(/org\.opencontainers\.image\.source=/);
  });
});

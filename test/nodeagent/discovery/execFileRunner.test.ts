import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CommandError, ExecFileRunner } from "../../../nodeagent/discovery/index.js";
import { type FakeNvidiaSmi, fakeNvidiaSmi } from "./fakeNvidiaSmi.js";

let fake: FakeNvidiaSmi | undefined;
afterEach(() => fake?.remove());

async function failureOf(p: Promise<unknown>): Promise<CommandError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error("expected a CommandError");
}

describe("ExecFileRunner", () => {
  const runner = new ExecFileRunner();

  it("returns stdout, stderr and exit 0 of a command that ran", async () => {
    fake = fakeNvidiaSmi({ "-L": { fixture: "nvidia-smi-L_h100-pcie_mig.txt", stderr: "note\n" } });
    const r = await runner.run(fake.file, ["-L"], { timeoutMs: 5000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^GPU 0: NVIDIA H100 PCIe \(UUID: GPU-7cd6d4d6/);
    expect(r.stderr).toBe("note\n");
  });

  it("returns a non-zero exit as a result, not an error (mig -lgi with MIG off exits non-zero)", async () => {
    fake = fakeNvidiaSmi({ "mig -lgi": { stdout: "No MIG-enabled devices found.\n", exitCode: 6 } });
    await expect(runner.run(fake.file, ["mig", "-lgi"], { timeoutMs: 5000 })).resolves.toEqual({
      stdout: "No MIG-enabled devices found.\n",
      stderr: "",
      exitCode: 6,
    });
  });

  it("passes arguments without a shell: metacharacters arrive as written", async () => {
    const argv = "$(touch /tmp/x) ; echo `id` | cat > out";
    fake = fakeNvidiaSmi({ [argv]: { stdout: "literal\n" } });
    const r = await runner.run(fake.file, argv.split(" "), { timeoutMs: 5000 });
    expect(r.stdout).toBe("literal\n");
    expect(fake.calls()).toEqual([argv]);
  });

  it("a missing binary is a not-found CommandError (ENOENT)", async () => {
    const err = await failureOf(runner.run("/nonexistent/dir/nvidia-smi", ["-L"], { timeoutMs: 5000 }));
    expect(err).toMatchObject({ code: "COMMAND_FAILED", failure: "not-found", file: "/nonexistent/dir/nvidia-smi", args: ["-L"] });
    expect(err.message).toBe("/nonexistent/dir/nvidia-smi -L: no such file (ENOENT)");
  });

  it("a file without execute permission is not-executable", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "noexec-"));
    const file = path.join(dir, "nvidia-smi");
    writeFileSync(file, "#!/bin/sh\n");
    chmodSync(file, 0o644);
    try {
      // root may execute nothing without an x bit either, so this holds in containers too
      expect(await failureOf(runner.run(file, [], { timeoutMs: 5000 }))).toMatchObject({ failure: "not-executable" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("kills a command that outlives its timeout and says so", async () => {
    fake = fakeNvidiaSmi({ "-q -x": { stdout: "late", sleepMs: 10_000 } });
    const started = performance.now();
    const err = await failureOf(runner.run(fake.file, ["-q", "-x"], { timeoutMs: 300 }));
    expect(err).toMatchObject({ failure: "timeout", detail: "no answer within 300 ms" });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("stops reading past the output limit", async () => {
    fake = fakeNvidiaSmi({ "-q -x": { stdout: "x".repeat(64 * 1024) } });
    const err = await failureOf(new ExecFileRunner(1024).run(fake.file, ["-q", "-x"], { timeoutMs: 5000 }));
    expect(err).toMatchObject({ failure: "output-too-large" });
  });
});

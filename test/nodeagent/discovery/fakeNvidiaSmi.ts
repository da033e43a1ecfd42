import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const fixturesDir = fileURLToPath(new URL("../../fixtures/node/", import.meta.url));

/** What the fake prints for one argv. */
export interface FakeReply {
  /** A file under test/fixtures/node/ to print verbatim. */
  readonly fixture?: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  /** Waits this long before answering (timeout tests). */
  readonly sleepMs?: number;
}

export interface FakeNvidiaSmi {
  /** Absolute path of the executable. */
  readonly file: string;
  /** Every argv it was called with, joined by spaces, in order. */
  calls(): string[];
  remove(): void;
}

/**
 * Writes an executable `nvidia-smi` into a fresh temp dir that answers each argv (joined by spaces)
 * from `replies`, and exits 2 with a message for any other argv, as nvidia-smi does for bad options.
 * A node script with this process's node in the shebang, so it runs where the tests run; it goes
 * through the real ExecFileRunner, argv and all.
 */
export function fakeNvidiaSmi(replies: Readonly<Record<string, FakeReply>>): FakeNvidiaSmi {
  const dir = mkdtempSync(path.join(tmpdir(), "fake-nvidia-smi-"));
  const file = path.join(dir, "nvidia-smi");
  const log = path.join(dir, "calls.log");
  const table = Object.fromEntries(
    Object.entries(replies).map(([argv, r]) => [
      argv,
      { stdout: r.fixture !== undefined ? readFileSync(fixturesDir + r.fixture, "utf8") : (r.stdout ?? ""), stderr: r.stderr ?? "", exitCode: r.exitCode ?? 0, sleepMs: r.sleepMs ?? 0 },
    ]),
  );
  writeFileSync(path.join(dir, "replies.json"), JSON.stringify(table));
  writeFileSync(
    file,
    `#!${process.execPath}
const fs = require("node:fs");
const path = require("node:path");
const argv = process.argv.slice(2).join(" ");
fs.appendFileSync(path.join(__dirname, "calls.log"), argv + "\\n");
const reply = JSON.parse(fs.readFileSync(path.join(__dirname, "replies.json"), "utf8"))[argv];
if (!reply) {
  process.stderr.write("fake nvidia-smi: no reply for: " + argv + "\\n");
  process.exit(2);
}
setTimeout(() => {
  process.stdout.write(reply.stdout);
  process.stderr.write(reply.stderr);
  process.exitCode = reply.exitCode;
}, reply.sleepMs);
`,
  );
  chmodSync(file, 0o755);
  return {
    file,
    calls: () => {
      try {
        return readFileSync(log, "utf8").split("\n").filter((l) => l !== "");
      } catch {
        return []; // never called: no log written
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

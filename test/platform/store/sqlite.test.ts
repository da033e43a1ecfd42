import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../platform/log.js";
import { MIGRATIONS, openStore, type Store } from "../../../platform/store/index.js";

const log = createLogger({ level: "silent" });

describe("openStore", () => {
  let dir: string;
  const open: Store[] = [];
  const openAt = (path: string): Store => {
    const store = openStore(path, log);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-store-"));
  });
  afterEach(() => {
    open.splice(0).forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts a file database in WAL mode with synchronous FULL, a busy timeout and foreign keys", () => {
    const { db } = openAt(join(dir, "steward.db"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    // 2 = FULL (0 OFF, 1 NORMAL, 3 EXTRA): every WAL commit is fsynced.
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
  });

  it("creates missing parent directories", () => {
    const store = openAt(join(dir, "a", "b", "steward.db"));
    expect(store.schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
  });

  it("keeps committed rows across close and reopen of a file database", () => {
    const path = join(dir, "steward.db");
    const first = openAt(path);
    first.db.prepare("INSERT INTO pending_rightsizing VALUES ('team-a', 'job-1', 'PyTorchJob', NULL, '{}', 1)").run();
    first.close();
    const second = openAt(path);
    expect(second.db.prepare("SELECT name FROM pending_rightsizing").all()).toEqual([{ name: "job-1" }]);
  });

  it("keeps an acknowledged write when the writer is killed with SIGKILL before closing", async () => {
    const path = join(dir, "steward.db");
    const writer = join(dirname(fileURLToPath(import.meta.url)), "killedWriter.ts");
    const child = spawn(process.execPath, ["--import", "tsx", writer, path], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`writer exited early with ${String(code)}`)));
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("committed")) resolve();
      });
    });
    child.removeAllListeners("exit");
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const reopened = openAt(path);
    expect(reopened.db.prepare("SELECT name FROM pending_rightsizing").all()).toEqual([{ name: "acknowledged" }]);
  });

  it("opens an in-memory database for tests", () => {
    const { db, schemaVersion } = openAt(":memory:");
    expect(schemaVersion).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma("journal_mode", { simple: true })).toBe("memory");
  });

  it("closes idempotently", () => {
    const store = openAt(":memory:");
    store.close();
    expect(() => store.close()).not.toThrow();
    expect(store.db.open).toBe(false);
  });
});

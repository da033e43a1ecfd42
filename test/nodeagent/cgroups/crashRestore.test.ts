import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";
import { CgroupThrottler, ThrottleRecords } from "../../../nodeagent/cgroups/index.js";
import { CgroupTree, UID_A, UID_C } from "./cgroupTree.js";

const log = createLogger({ level: "silent" });

describe("restore after a crash", () => {
  const tree = new CgroupTree();
  afterEach(() => tree.cleanup());

  it("puts every file back to its original string after the writer is killed with SIGKILL", async () => {
    const originals = new Map<string, string>();
    const dirA = tree.addPod(UID_A, "Burstable", "systemd", { ioMax: "8:16 rbps=2097152 wbps=max riops=max wiops=120\n", cpuMax: "max 100000\n" });
    const dirC = tree.addPod(UID_C, "BestEffort", "cgroupfs", { ioMax: "", cpuMax: "200000 100000\n" });
    for (const dir of [dirA, dirC]) for (const f of ["io.max", "cpu.max"]) originals.set(join(dir, f), readFileSync(join(dir, f), "utf8"));
    const dbPath = join(tree.base, "state", "agent.db");

    const writer = join(dirname(fileURLToPath(import.meta.url)), "throttlingWriter.ts");
    const child = spawn(process.execPath, ["--import", "tsx", writer, tree.root, dbPath, UID_A, UID_C], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`writer exited early with ${String(code)}`)));
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("throttled")) resolve();
      });
    });
    child.removeAllListeners("exit");
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    // The writer really changed every file before it died.
    for (const [path, original] of originals) expect(readFileSync(path, "utf8")).not.toBe(original);

    const store = openStore(dbPath, log);
    try {
      const records = new ThrottleRecords(store.db);
      expect(records.list()).toHaveLength(4);
      const throttler = new CgroupThrottler({ root: tree.root, driver: "auto", dryRun: false, records, log, clock: new ManualClock(2) });
      expect(throttler.restoreAll().map((r) => r.result)).toEqual(["restored", "restored", "restored", "restored"]);
      for (const [path, original] of originals) expect(readFileSync(path, "utf8")).toBe(original);
      expect(records.list()).toEqual([]);
    } finally {
      store.close();
    }
  });
});

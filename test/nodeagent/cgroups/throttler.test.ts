import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import {
  cgroupFilesFor,
  CgroupThrottler,
  emulatedCgroupFiles,
  isCgroupRefusal,
  ThrottleRecords,
  type CgroupFiles,
  type PodRef,
} from "../../../nodeagent/cgroups/index.js";
import { CgroupTree, UID_A, UID_B } from "./cgroupTree.js";

const silent = createLogger({ level: "silent" });
const podA: PodRef = { uid: UID_A, qosClass: "Burstable" };
const podB: PodRef = { uid: UID_B, qosClass: "Guaranteed" };
const IO_ORIGINAL = "8:16 rbps=2097152 wbps=max riops=max wiops=120\n";

/** Emulated files that also note each write and what SQLite held at that moment. */
function spyFiles(records: () => ThrottleRecords): { files: CgroupFiles; writes: Array<{ path: string; line: string; recorded: boolean }> } {
  const writes: Array<{ path: string; line: string; recorded: boolean }> = [];
  const files: CgroupFiles = {
    mode: "emulated",
    read: (p) => emulatedCgroupFiles.read(p),
    writeLine(path, line) {
      const file = path.endsWith("io.max") ? "io.max" : "cpu.max";
      const recorded = records().list().some((r) => path.endsWith(join(r.cgroupDir, file)));
      writes.push({ path, line, recorded });
      emulatedCgroupFiles.writeLine(path, line);
    },
  };
  return { files, writes };
}

describe("CgroupThrottler", () => {
  let tree: CgroupTree;
  let store: Store;
  let records: ThrottleRecords;
  let clock: ManualClock;
  let dirA: string;
  let dirB: string;

  const throttler = (over: { dryRun?: boolean; files?: CgroupFiles; log?: typeof silent } = {}): CgroupThrottler =>
    new CgroupThrottler({ root: tree.root, driver: "auto", dryRun: over.dryRun ?? false, records, log: over.log ?? silent, clock, files: over.files });

  beforeEach(() => {
    tree = new CgroupTree();
    dirA = tree.addPod(UID_A, "Burstable", "systemd", { ioMax: IO_ORIGINAL, cpuMax: "max 100000\n" });
    dirB = tree.addPod(UID_B, "Guaranteed", "cgroupfs", { cpuMax: "400000 100000\n" });
    store = openStore(":memory:", silent);
    records = new ThrottleRecords(store.db);
    clock = new ManualClock(1_000);
  });
  afterEach(() => {
    store.close();
    tree.cleanup();
  });

  it("uses plain-file emulation on a directory that is not a cgroup2 mount", () => {
    expect(cgroupFilesFor(tree.root).mode).toBe("emulated");
  });

  it("writes io.max one line per device and cpu.max, each original recorded before the first write", () => {
    const { files, writes } = spyFiles(() => records);
    const out = throttler({ files }).apply(podA, { io: { devices: ["8:16", "259:0"], bytesPerSec: 52428800 }, cpu: { quotaUs: 50000, periodUs: 100000 } });
    expect(out.map((o) => [o.file, o.result])).toEqual([["io.max", "written"], ["cpu.max", "written"]]);
    expect(writes.map((w) => w.line)).toEqual(["8:16 rbps=52428800 wbps=52428800", "259:0 rbps=52428800 wbps=52428800", "50000 100000"]);
    expect(writes.every((w) => w.recorded)).toBe(true);
    expect(readFileSync(join(dirA, "io.max"), "utf8")).toBe("8:16 rbps=52428800 wbps=52428800 riops=max wiops=120\n259:0 rbps=52428800 wbps=52428800 riops=max wiops=max\n");
    expect(readFileSync(join(dirA, "cpu.max"), "utf8")).toBe("50000 100000\n");
    expect(records.get(UID_A, "io.max")).toMatchObject({ original: IO_ORIGINAL, cgroupDir: expect.stringContaining("kubepods-burstable-pod") });
    expect(records.get(UID_A, "cpu.max")?.original).toBe("max 100000\n");
  });

  it("keeps the first original through later, tighter steps", () => {
    const t = throttler();
    t.apply(podB, { cpu: { quotaUs: 200000, periodUs: 100000 } });
    t.apply(podB, { cpu: { quotaUs: 100000, periodUs: 100000 } });
    expect(records.get(UID_B, "cpu.max")?.original).toBe("400000 100000\n");
    expect(t.kubeletCpuMax(podB)).toEqual({ quotaUs: 400000, periodUs: 100000 });
  });

  it("skips a write that would change nothing", () => {
    const { files, writes } = spyFiles(() => records);
    const t = throttler({ files });
    const limits = { io: { devices: ["8:16"], bytesPerSec: 1048576 }, cpu: { quotaUs: 50000, periodUs: 100000 } };
    t.apply(podA, limits);
    const again = t.apply(podA, limits);
    expect(again.map((o) => o.result)).toEqual(["unchanged", "unchanged"]);
    expect(writes).toHaveLength(2);
  });

  it("puts a pod's files back to their original strings", () => {
    const t = throttler();
    t.apply(podA, { io: { devices: ["8:16", "259:0"], bytesPerSec: 1048576 }, cpu: { quotaUs: 50000, periodUs: 100000 } });
    expect(t.restore(UID_A).map((r) => r.result)).toEqual(["restored", "restored"]);
    expect(readFileSync(join(dirA, "io.max"), "utf8")).toBe(IO_ORIGINAL);
    expect(readFileSync(join(dirA, "cpu.max"), "utf8")).toBe("max 100000\n");
    expect(records.list()).toEqual([]);
  });

  it("restores everything, and forgets pods whose cgroup is gone", () => {
    const t = throttler();
    t.apply(podA, { cpu: { quotaUs: 50000, periodUs: 100000 } });
    t.apply(podB, { io: { devices: ["8:0"], bytesPerSec: 1048576 } });
    rmSync(dirA, { recursive: true });
    const out = t.restoreAll();
    expect(out).toEqual(expect.arrayContaining([{ podUid: UID_A, file: "cpu.max", result: "gone" }, { podUid: UID_B, file: "io.max", result: "restored" }]));
    expect(readFileSync(join(dirB, "io.max"), "utf8")).toBe("");
    expect(records.list()).toEqual([]);
  });

  it("in dry run, logs each write as a shell line and changes nothing", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: { write: (s: string) => lines.push(s) } });
    const out = throttler({ dryRun: true, log }).apply(podA, { io: { devices: ["8:16"], bytesPerSec: 1048576 }, cpu: { quotaUs: 50000, periodUs: 100000 } });
    expect(out.map((o) => o.result)).toEqual(["dry-run", "dry-run"]);
    expect(readFileSync(join(dirA, "io.max"), "utf8")).toBe(IO_ORIGINAL);
    expect(readFileSync(join(dirA, "cpu.max"), "utf8")).toBe("max 100000\n");
    expect(records.list()).toEqual([]);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; operation: string; dryRun: boolean });
    expect(logged.map((l) => l.operation)).toEqual([
      `echo "8:16 rbps=1048576 wbps=1048576" > ${join(dirA, "io.max")}`,
      `echo "50000 100000" > ${join(dirA, "cpu.max")}`,
    ]);
    expect(logged.every((l) => l.dryRun && l.msg === "cgroup write skipped (dry run)")).toBe(true);
  });

  it("refuses a controller the pod cgroup does not have", () => {
    writeFileSync(join(dirA, "cgroup.controllers"), "cpuset cpu memory pids\n");
    let caught: unknown;
    try {
      throttler().apply(podA, { io: { devices: ["8:0"], bytesPerSec: 1 } });
    } catch (err) {
      caught = err;
    }
    expect(isCgroupRefusal(caught, "controller-missing")).toBe(true);
    expect(records.list()).toEqual([]);
  });

  it.each([
    { name: "a device name instead of MAJ:MIN", limits: { io: { devices: ["sda"], bytesPerSec: 1 } } },
    { name: "a fractional bandwidth", limits: { io: { devices: ["8:0"], bytesPerSec: 1.5 } } },
    { name: "a quota under 1 ms", limits: { cpu: { quotaUs: 500, periodUs: 100000 } } },
  ])("refuses $name", ({ limits }) => {
    expect(() => throttler().apply(podA, limits)).toThrow(expect.objectContaining({ reason: "invalid-limit" }));
  });

  it("does not follow an interface file swapped for a symlink", () => {
    const outside = join(tree.base, "victim-file");
    writeFileSync(outside, "precious\n");
    rmSync(join(dirA, "cpu.max"));
    symlinkSync(outside, join(dirA, "cpu.max"));
    expect(() => throttler().apply(podA, { cpu: { quotaUs: 50000, periodUs: 100000 } })).toThrow(/ELOOP/);
    expect(readFileSync(outside, "utf8")).toBe("precious\n");
  });

  it("refuses to restore into a directory that became a symlink, and keeps the record", () => {
    const t = throttler();
    t.apply(podB, { cpu: { quotaUs: 200000, periodUs: 100000 } });
    rmSync(dirB, { recursive: true });
    symlinkSync(dirA, dirB);
    expect(t.restoreAll()).toEqual([{ podUid: UID_B, file: "cpu.max", result: "refused" }]);
    expect(readFileSync(join(dirA, "cpu.max"), "utf8")).toBe("max 100000\n");
    expect(records.list()).toHaveLength(1);
  });

  it("in dry run, restores nothing and keeps the records", () => {
    throttler().apply(podB, { cpu: { quotaUs: 200000, periodUs: 100000 } });
    expect(throttler({ dryRun: true }).restoreAll()).toEqual([{ podUid: UID_B, file: "cpu.max", result: "dry-run" }]);
    expect(readFileSync(join(dirB, "cpu.max"), "utf8")).toBe("200000 100000\n");
    expect(records.list()).toHaveLength(1);
  });

  it("refuses to start on a cgroup v1 host", () => {
    rmSync(join(tree.root, "cgroup.controllers"));
    expect(() => throttler()).toThrow(expect.objectContaining({ reason: "cgroup-v1" }));
  });
});

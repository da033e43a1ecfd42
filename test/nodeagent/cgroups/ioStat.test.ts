import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { IoRates, parseIoStat, PodIoReader, wholeDisks } from "../../../nodeagent/cgroups/index.js";
import { CgroupTree, UID_A, UID_B } from "./cgroupTree.js";

let tree: CgroupTree | undefined;
afterEach(() => tree?.cleanup());

describe("pod io from io.stat", () => {
  it("parses the kernel's lines and skips what is not a device line", () => {
    const text = "259:0 rbytes=1048576 wbytes=2097152 rios=12 wios=7 dbytes=0 dios=0\n8:16 rbytes=10 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\ngarbage\n";
    expect(parseIoStat(text)).toEqual([
      { device: "259:0", rbytes: 1048576, wbytes: 2097152 },
      { device: "8:16", rbytes: 10, wbytes: 0 },
    ]);
  });

  it("lists whole disks from /sys/block (partitions are not there)", () => {
    tree = new CgroupTree();
    const sys = join(tree.base, "sys");
    for (const [name, dev] of [["nvme0n1", "259:0"], ["sda", "8:0"]] as const) {
      mkdirSync(join(sys, "block", name), { recursive: true });
      writeFileSync(join(sys, "block", name, "dev"), `${dev}\n`);
    }
    expect([...wholeDisks(sys)].sort()).toEqual(["259:0", "8:0"]);
    expect(wholeDisks(join(tree.base, "nowhere")).size).toBe(0);
  });

  it("reads a pod's io.stat through the pod-cgroup checks; a pod without one reads as unknown", () => {
    tree = new CgroupTree();
    const dir = tree.addPod(UID_A, "Burstable", "cgroupfs");
    writeFileSync(join(dir, "io.stat"), "8:0 rbytes=5 wbytes=6 rios=1 wios=1 dbytes=0 dios=0\n");
    const reader = new PodIoReader(tree.root, "auto");
    expect(reader.read({ uid: UID_A, qosClass: "Burstable" })).toEqual([{ device: "8:0", rbytes: 5, wbytes: 6 }]);
    expect(reader.read({ uid: UID_B, qosClass: "Burstable" })).toBeUndefined();
  });

  it("turns two readings into bytes/s and the whole disks used in between", () => {
    const rates = new IoRates();
    const disks = new Set(["259:0"]);
    expect(rates.update(UID_A, [{ device: "259:0", rbytes: 100, wbytes: 0 }, { device: "259:1", rbytes: 0, wbytes: 0 }], 0, disks)).toEqual({ bytesPerSec: undefined, busyDisks: [] });
    // 10 MB read on the disk and 5 MB on a partition (counted in the rate, not a throttle target) in 10 s.
    expect(rates.update(UID_A, [{ device: "259:0", rbytes: 10_000_100, wbytes: 0 }, { device: "259:1", rbytes: 5_000_000, wbytes: 0 }], 10_000, disks)).toEqual({ bytesPerSec: 1_500_000, busyDisks: ["259:0"] });
    rates.forget(new Set());
    expect(rates.update(UID_A, [], 20_000, disks).bytesPerSec).toBeUndefined();
  });
});

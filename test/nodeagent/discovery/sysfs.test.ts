import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hostPaths, listSysfsGpus, readNumaDistances, readPciPlacement } from "../../../nodeagent/discovery/index.js";
import { sysfsTree, XD670_BUS_IDS, xd670Pci } from "./sysfsTree.js";

let tree: ReturnType<typeof sysfsTree> | undefined;
afterEach(() => tree?.remove());

describe("hostPaths", () => {
  it("puts /sys, /proc, /dev under the host root and the cgroup root under its /sys unless given", () => {
    expect(hostPaths()).toEqual({ hostRoot: "/", sys: "/sys", proc: "/proc", dev: "/dev", cgroup: "/sys/fs/cgroup" });
    expect(hostPaths({ hostRoot: "/host" })).toMatchObject({ sys: "/host/sys", proc: "/host/proc", dev: "/host/dev", cgroup: "/host/sys/fs/cgroup" });
    expect(hostPaths({ hostRoot: "/host", cgroupRoot: "/cg" }).cgroup).toBe("/cg");
    expect(Object.isFrozen(hostPaths())).toBe(true);
  });
});

describe("sysfs readers", () => {
  it("lists only NVIDIA GPU functions, sorted by bus id, with NUMA node and CPUs", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const gpus = await listSysfsGpus(hostPaths({ hostRoot: tree.hostRoot }));
    expect(gpus.map((g) => g.busId)).toEqual(XD670_BUS_IDS);
    expect(gpus[0]).toEqual({ busId: "0000:18:00.0", deviceId: 0x2330, numaNode: 0, localCpuList: "0-55,112-167" });
    expect(gpus[7]).toMatchObject({ numaNode: 1, localCpuList: "56-111,168-223" });
  });

  it("reads numa_node -1 as unknown and canonicalises local_cpulist", async () => {
    tree = sysfsTree({ pci: [{ busId: "0000:01:00.0", vendor: "0x10de", pciClass: "0x030200", numaNode: "-1", localCpuList: "4-7,0-3" }] });
    const paths = hostPaths({ hostRoot: tree.hostRoot });
    expect(await readPciPlacement(paths, "0000:01:00.0")).toEqual({ busId: "0000:01:00.0", numaNode: null, localCpuList: "0-7" });
    expect(await readPciPlacement(paths, "0000:02:00.0")).toBeUndefined();
  });

  it("names the file of a malformed value", async () => {
    tree = sysfsTree({ pci: [{ busId: "0000:01:00.0", vendor: "0x10de", pciClass: "0x030200", numaNode: "zero" }] });
    const paths = hostPaths({ hostRoot: tree.hostRoot });
    await expect(readPciPlacement(paths, "0000:01:00.0")).rejects.toThrow(`${path.join(tree.hostRoot, "sys/bus/pci/devices/0000:01:00.0/numa_node")}: "zero" is not a NUMA node id`);
  });

  it("reads the NUMA distance table, absent when the kernel has no node directory", async () => {
    tree = sysfsTree({ numa: { online: "0-1", distances: { 0: "10 21", 1: "21 10" } } });
    expect(await readNumaDistances(hostPaths({ hostRoot: tree.hostRoot }))).toEqual([
      { id: 0, distances: [10, 21] },
      { id: 1, distances: [21, 10] },
    ]);
    tree.remove();
    tree = sysfsTree({});
    expect(await readNumaDistances(hostPaths({ hostRoot: tree.hostRoot }))).toBeUndefined();
  });

  it("refuses a distance row that does not match the online nodes", async () => {
    tree = sysfsTree({ numa: { online: "0-1", distances: { 0: "10 21", 1: "21" } } });
    await expect(readNumaDistances(hostPaths({ hostRoot: tree.hostRoot }))).rejects.toThrow("1 distances for 2 online nodes");
  });

  it("throws when there is no sysfs to list", async () => {
    await expect(listSysfsGpus(hostPaths({ hostRoot: "/nonexistent-host-root" }))).rejects.toThrow(/ENOENT/);
  });
});

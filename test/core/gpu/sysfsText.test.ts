import { describe, expect, it } from "vitest";
import { isNvidiaGpuFunction, parseNumaDistanceRow, parseSysfsHex, parseSysfsNumaNode } from "../../../core/gpu/index.js";
import { parseCpuList } from "../../../core/topology/index.js";
import { outputsByPrompt, readNodeFixture } from "./nodeFixtures.js";

describe("sysfs file contents", () => {
  it("reads the real VM capture: numa_node -1 is unknown, the functions are not NVIDIA GPUs", () => {
    const files = new Map(
      outputsByPrompt(readNodeFixture("sysfs_real-vm-no-numa.txt"))
        .filter((o) => o.command.startsWith("cat "))
        .map((o) => [o.command.slice(4), o.output]),
    );
    const read = (p: string) => files.get(p) ?? "";
    for (const dev of ["0000:00:00.0", "0000:00:03.0"]) {
      const at = (f: string) => `/sys/bus/pci/devices/${dev}/${f}`;
      expect(parseSysfsNumaNode(read(at("numa_node")), at("numa_node"))).toBeNull();
      expect(parseCpuList(read(at("local_cpulist")))).toEqual([{ first: 0, last: 1 }]);
      expect(isNvidiaGpuFunction(parseSysfsHex(read(at("vendor")), "vendor"), parseSysfsHex(read(at("class")), "class"))).toBe(false);
    }
    expect(parseSysfsHex(read("/sys/bus/pci/devices/0000:00:00.0/vendor"), "vendor")).toBe(0x8086);
    expect(parseSysfsHex(read("/sys/bus/pci/devices/0000:00:03.0/class"), "class")).toBe(0x020000);
    expect(parseCpuList(read("/sys/devices/system/node/online"))).toEqual([{ first: 0, last: 0 }]);
  });

  it.each([
    [0x10de, 0x030200, true], // 3D controller: A100, H100
    [0x10de, 0x030000, true], // VGA: RTX 6000 Ada, L40S-class
    [0x10de, 0x040300, false], // HDMI audio function of a consumer card
    [0x10de, 0x068000, false], // NVSwitch
    [0x10de, 0x060400, false], // NVIDIA PCIe bridge (Grace/Blackwell)
    [0x1002, 0x030000, false], // another vendor's VGA
  ])("vendor %i class %i is an NVIDIA GPU: %s", (vendor, pciClass, want) => {
    expect(isNvidiaGpuFunction(vendor, pciClass)).toBe(want);
  });

  it("reads numa_node ids and distance rows, naming the file when malformed", () => {
    expect(parseSysfsNumaNode("1\n", "f")).toBe(1);
    expect(parseNumaDistanceRow("10 21\n", "f")).toEqual([10, 21]);
    expect(() => parseSysfsNumaNode("-2\n", "/sys/x/numa_node")).toThrow('line 1, /sys/x/numa_node: "-2" is not a NUMA node id');
    expect(() => parseNumaDistanceRow("10,21", "/sys/d")).toThrow("/sys/d");
    expect(() => parseSysfsHex("10de", "/sys/v")).toThrow('"10de" is not a 0x-prefixed hex number');
  });
});

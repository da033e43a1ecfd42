import { describe, expect, it } from "vitest";
import {
  GpuTextError,
  parseGpuList,
  parseMigComputeInstances,
  parseMigGpuInstances,
  parseMigPlacements,
  parseMigProfiles,
} from "../../../core/gpu/index.js";
import { readNodeFixture } from "./nodeFixtures.js";

const profileTable = (file: string) => parseMigProfiles(readNodeFixture(file)).map((p) => [p.name, p.profileId, p.memoryGiB, p.multiprocessors]);

describe("parseMigProfiles (mig -lgip)", () => {
  it("H100 80GB HBM3: seven profiles with both lines of each row", () => {
    const profiles = parseMigProfiles(readNodeFixture("nvidia-smi-mig-lgip_h100-80gb-hbm3.txt"));
    expect(profiles[0]).toEqual({
      gpu: 0,
      name: "1g.10gb",
      profileId: 19,
      instancesFree: 7,
      instancesTotal: 7,
      memoryGiB: 9.75,
      p2p: false,
      multiprocessors: 16,
      decoders: 1,
      encoders: 0,
      copyEngines: 1,
      jpegDecoders: 1,
      opticalFlowAccelerators: 0,
    });
    expect(profiles.map((p) => [p.name, p.profileId, p.memoryGiB, p.multiprocessors])).toEqual([
      ["1g.10gb", 19, 9.75, 16],
      ["1g.10gb+me", 20, 9.75, 16],
      ["1g.20gb", 15, 19.62, 26],
      ["2g.20gb", 14, 19.62, 32],
      ["3g.40gb", 9, 39.5, 60],
      ["4g.40gb", 5, 39.5, 64],
      ["7g.80gb", 0, 79.25, 132],
    ]);
    expect(profiles.at(-1)).toMatchObject({ instancesFree: 1, instancesTotal: 1, copyEngines: 8, jpegDecoders: 7, opticalFlowAccelerators: 1 });
  });

  it("H100 PCIe (driver 525): same ids, its own memory and SM figures", () => {
    expect(profileTable("nvidia-smi-mig-lgip_h100-pcie_drv525.txt")).toEqual([
      ["1g.10gb", 19, 9.62, 14],
      ["1g.10gb+me", 20, 9.62, 14],
      ["1g.20gb", 15, 19.5, 14],
      ["2g.20gb", 14, 19.5, 30],
      ["3g.40gb", 9, 39.25, 46],
      ["4g.40gb", 5, 39.25, 62],
      ["7g.80gb", 0, 79, 114],
    ]);
  });

  it("A100 SXM4 80GB on an older driver: no 1g.20gb profile", () => {
    expect(profileTable("nvidia-smi-mig-lgip_a100-sxm4-80gb_gpu0.txt")).toEqual([
      ["1g.10gb", 19, 9.5, 14],
      ["1g.10gb+me", 20, 9.5, 14],
      ["2g.20gb", 14, 19.5, 28],
      ["3g.40gb", 9, 39.25, 42],
      ["4g.40gb", 5, 39.25, 56],
      ["7g.80gb", 0, 78.75, 98],
    ]);
  });

  it("reads a row without the P2P column (older drivers) as p2p null", () => {
    const text = readNodeFixture("nvidia-smi-mig-lgip_h100-80gb-hbm3.txt").replace(/ +No +/g, "   ");
    const profiles = parseMigProfiles(text);
    expect(profiles).toHaveLength(7);
    expect(profiles.every((p) => p.p2p === null)).toBe(true);
    expect(profiles[0]).toMatchObject({ memoryGiB: 9.75, multiprocessors: 16 });
  });

  it("names the line of a row it cannot read", () => {
    const text = readNodeFixture("nvidia-smi-mig-lgip_h100-80gb-hbm3.txt").replace("MIG 2g.20gb       14     3/3", "MIG 2g.20gb       14     3-3");
    expect(() => parseMigProfiles(text)).toThrow(GpuTextError);
    expect(() => parseMigProfiles(text)).toThrow(/^line 15, mig -lgip:/);
  });
});

describe("parseMigPlacements (mig -lgipp)", () => {
  it("reads plural and singular forms", () => {
    const placements = parseMigPlacements(readNodeFixture("nvidia-smi-mig-lgipp_h100-80gb-hbm3.txt"));
    expect(placements.map((p) => [p.profileId, p.starts, p.size])).toEqual([
      [19, [0, 1, 2, 3, 4, 5, 6], 1],
      [20, [0, 1, 2, 3, 4, 5, 6], 1],
      [15, [0, 2, 4, 6], 2],
      [14, [0, 2, 4], 2],
      [9, [0, 4], 4],
      [5, [0], 4],
      [0, [0], 8],
    ]);
  });
});

describe("parseMigGpuInstances (mig -lgi)", () => {
  it("H100 80GB HBM3, 7×1g.10gb: GI ids 7-13 at slices 0-6", () => {
    const gis = parseMigGpuInstances(readNodeFixture("nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt"));
    expect(gis[0]).toEqual({ gpu: 0, profile: "1g.10gb", profileId: 19, gpuInstanceId: 7, placement: { start: 0, size: 1 } });
    expect(gis.map((g) => [g.gpuInstanceId, g.placement?.start])).toEqual([
      [7, 0],
      [8, 1],
      [9, 2],
      [10, 3],
      [11, 4],
      [12, 5],
      [13, 6],
    ]);
  });

  it("H100 PCIe, 3g.40gb + 3×1g.10gb: slice 3 left free", () => {
    const gis = parseMigGpuInstances(readNodeFixture("nvidia-smi-mig-lgi_h100-pcie_3g+3x1g.txt"));
    expect(gis.map((g) => [g.profile, g.profileId, g.gpuInstanceId, g.placement])).toEqual([
      ["1g.10gb", 19, 7, { start: 0, size: 1 }],
      ["1g.10gb", 19, 8, { start: 1, size: 1 }],
      ["1g.10gb", 19, 9, { start: 2, size: 1 }],
      ["3g.40gb", 9, 2, { start: 4, size: 4 }],
    ]);
  });

  it("every GI sits on a placement -lgipp allows for its profile", () => {
    const allowed = parseMigPlacements(readNodeFixture("nvidia-smi-mig-lgipp_h100-80gb-hbm3.txt"));
    for (const file of ["nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt", "nvidia-smi-mig-lgi_h100-pcie_3g+3x1g.txt"]) {
      for (const gi of parseMigGpuInstances(readNodeFixture(file))) {
        const rule = allowed.find((p) => p.profileId === gi.profileId);
        expect(rule?.starts).toContain(gi.placement?.start);
        expect(rule?.size).toBe(gi.placement?.size);
      }
    }
  });

  it("reads rows without a Placement column (older drivers) as placement null", () => {
    expect(parseMigGpuInstances("|=====|\n|   0  MIG 1g.10gb         19        7   |\n")).toEqual([
      { gpu: 0, profile: "1g.10gb", profileId: 19, gpuInstanceId: 7, placement: null },
    ]);
  });

  it.each(["No GPU instances found: Not Found", "No MIG-enabled devices found.", ""])("reads %j as no instances", (text) => {
    expect(parseMigGpuInstances(text)).toEqual([]);
  });

  it("names the line of a row that is not a GPU instance, and refuses text without a table", () => {
    const text = readNodeFixture("nvidia-smi-mig-lgi_h100-pcie_3g+3x1g.txt").replace("MIG 3g.40gb          9", "MIG 3g.40gb          x");
    expect(() => parseMigGpuInstances(text)).toThrow(/^line 12, mig -lgi: "0  MIG 3g.40gb {10}x {8}2 {10}4:4" is not a GPU instance row$/);
    expect(() => parseMigGpuInstances("Failed to display GPU instances: Insufficient Permissions")).toThrow(
      'line 1, mig -lgi: no table and no "No … found" message',
    );
  });
});

describe("parseMigComputeInstances (mig -lci)", () => {
  it("H100 80GB HBM3: one default CI (id 0) in each of GIs 7-13", () => {
    const cis = parseMigComputeInstances(readNodeFixture("nvidia-smi-mig-lci_h100-80gb-hbm3_7x1g.10gb.txt"));
    expect(cis[0]).toEqual({ gpu: 0, gpuInstanceId: 7, profile: "1g.10gb", profileId: 0, computeInstanceId: 0, placement: { start: 0, size: 1 } });
    expect(cis.map((c) => c.gpuInstanceId)).toEqual([7, 8, 9, 10, 11, 12, 13]);
    expect(new Set(cis.map((c) => c.computeInstanceId))).toEqual(new Set([0]));
  });

  it("reads sub-divided GI profile names such as 1c.3g.40gb", () => {
    expect(parseMigComputeInstances("|====|\n|   0      2       MIG 1c.3g.40gb       0         1          1:1     |\n")[0]).toMatchObject({
      profile: "1c.3g.40gb",
      computeInstanceId: 1,
      placement: { start: 1, size: 1 },
    });
  });
});

describe("parseGpuList (nvidia-smi -L)", () => {
  it("H100 PCIe under MIG: the GPU and its four MIG device UUIDs", () => {
    expect(parseGpuList(readNodeFixture("nvidia-smi-L_h100-pcie_mig.txt"))).toEqual([
      {
        index: 0,
        name: "NVIDIA H100 PCIe",
        uuid: "GPU-7cd6d4d6-9fa8-13be-3c42-09a1b2280a02",
        migDevices: [
          { profile: "3g.40gb", deviceIndex: 0, uuid: "MIG-da06d78f-7534-56a0-a062-62fef012be91" },
          { profile: "1g.10gb", deviceIndex: 1, uuid: "MIG-8aa1fc52-9818-58ec-bc64-8f0cae121bb4" },
          { profile: "1g.10gb", deviceIndex: 2, uuid: "MIG-42fa9c93-1430-5ccc-b623-c02fb93b7f5a" },
          { profile: "1g.10gb", deviceIndex: 3, uuid: "MIG-6d96b431-44ba-5360-80b0-9359561c927d" },
        ],
      },
    ]);
  });

  it("refuses a MIG line before any GPU line", () => {
    expect(() => parseGpuList("  MIG 1g.10gb     Device  1: (UUID: MIG-x)\n")).toThrow("line 1, -L:");
  });
});

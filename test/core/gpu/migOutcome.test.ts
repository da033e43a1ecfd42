import { describe, expect, it } from "vitest";
import { parseMigGpuInstances, parseMigOutcome } from "../../../core/gpu/index.js";
import { readNodeFixture } from "./nodeFixtures.js";

describe("parseMigOutcome", () => {
  it("-cgi 19×7 -C on H100 80GB HBM3: GI ids come back 13, 11, 12, 7, 8, 9, 10, each with CI 0", () => {
    const { events, otherLines } = parseMigOutcome(readNodeFixture("nvidia-smi-mig-cgi-C_h100-80gb-hbm3_7x1g.10gb.txt"));
    expect(otherLines).toEqual([]);
    expect(events.filter((e) => e.kind === "gi-created").map((e) => e.gpuInstanceId)).toEqual([13, 11, 12, 7, 8, 9, 10]);
    expect(events[0]).toEqual({ kind: "gi-created", gpu: 0, gpuInstanceId: 13, profile: "1g.10gb", profileId: 19 });
    expect(events[1]).toEqual({ kind: "ci-created", gpu: 0, gpuInstanceId: 13, computeInstanceId: 0, profile: "1g.10gb", profileId: 0 });
    // the ids the creation printed are the ones -lgi lists afterwards
    const listed = parseMigGpuInstances(readNodeFixture("nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt")).map((g) => g.gpuInstanceId);
    const created = events.flatMap((e) => (e.kind === "gi-created" ? [e.gpuInstanceId] : []));
    expect([...created].sort((a, b) => a - b)).toEqual(listed);
  });

  it("-cgi 9,19,19,19 -C on H100 PCIe: the 3g.40gb GI gets id 2 and CI profile 2", () => {
    const { events } = parseMigOutcome(readNodeFixture("nvidia-smi-mig-cgi-C_h100-pcie_3g+3x1g.txt"));
    expect(events.slice(0, 2)).toEqual([
      { kind: "gi-created", gpu: 0, gpuInstanceId: 2, profile: "3g.40gb", profileId: 9 },
      { kind: "ci-created", gpu: 0, gpuInstanceId: 2, computeInstanceId: 0, profile: "3g.40gb", profileId: 2 },
    ]);
    expect(events).toHaveLength(8);
  });

  it.each([
    ["nvidia-smi-mig-dci_h100-80gb-hbm3.txt", [7, 8, 9, 10, 11, 12, 13], []],
    ["nvidia-smi-mig-dgi_h100-80gb-hbm3.txt", [], [7, 8, 9, 10, 11, 12, 13]],
    ["nvidia-smi-mig-dci-dgi_h100-pcie.txt", [7, 8, 9, 2], [7, 8, 9, 2]],
  ])("%s: CIs destroyed before GIs", (file, cis, gis) => {
    const { events, otherLines } = parseMigOutcome(readNodeFixture(file));
    expect(otherLines).toEqual([]);
    expect(events.flatMap((e) => (e.kind === "ci-destroyed" ? [e.gpuInstanceId] : []))).toEqual(cis);
    expect(events.flatMap((e) => (e.kind === "gi-destroyed" ? [e.gpuInstanceId] : []))).toEqual(gis);
    const lastCi = events.findLastIndex((e) => e.kind === "ci-destroyed");
    const firstGi = events.findIndex((e) => e.kind === "gi-destroyed");
    if (lastCi >= 0 && firstGi >= 0) expect(lastCi).toBeLessThan(firstGi);
  });

  it("-mig 1 / -mig 0: mode per bus id, other lines kept with their line numbers", () => {
    const { events, otherLines } = parseMigOutcome(readNodeFixture("nvidia-smi-mig-mode-toggle_h100-80gb-hbm3.txt"));
    expect(events).toEqual([
      { kind: "mig-mode-set", mode: "Enabled", busId: "0000:16:00.0" },
      { kind: "mig-mode-set", mode: "Disabled", busId: "0000:16:00.0" },
    ]);
    expect(otherLines).toEqual([
      { line: 1, text: "$ sudo nvidia-smi -i 0 -mig 1" },
      { line: 3, text: "All done." },
      { line: 4, text: "$ sudo nvidia-smi -i 0 -mig 0" },
      { line: 6, text: "All done." },
    ]);
  });
});

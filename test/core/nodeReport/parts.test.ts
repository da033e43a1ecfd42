import { describe, expect, it } from "vitest";
import { parseMigComputeInstances, parseMigGpuInstances } from "../../../core/gpu/index.js";
import {
  canonicalJson,
  isStale,
  migLayoutFromInstances,
  migModeForReport,
  NodeReportInputError,
  ReportedTenantState,
  summarize,
  topologyHash,
  withTopologyHash,
} from "../../../core/nodeReport/index.js";
import { fnv1a64 } from "../../../core/nodeReport/topologyHash.js";
import { readNodeFixture } from "../gpu/nodeFixtures.js";
import { aNodeReportStatus, xd670Topology } from "../../builders/nodeReports.js";

describe("topology hash", () => {
  it.each([
    ["", "cbf29ce484222325"],
    ["a", "af63dc4c8601ec8c"],
    ["foobar", "85944171f73967e8"],
  ])("is FNV-1a 64: %j → %s (the reference test vectors)", (text, hex) => {
    expect(fnv1a64(text)).toBe(hex);
  });

  it("reads objects with their keys sorted, arrays in order, undefined members left out", () => {
    expect(canonicalJson({ b: [2, { d: 1, c: undefined, a: "x" }], a: null })).toBe('{"a":null,"b":[2,{"a":"x","d":1}]}');
  });

  it("is the same for the same topology whatever its field order or its old hash, and differs when a link changes", () => {
    const t = xd670Topology();
    const reordered = Object.fromEntries(Object.entries(t).reverse());
    expect(topologyHash(reordered)).toBe(t.hash);
    expect(topologyHash({ ...t, hash: "fnv1a64:0000000000000000" })).toBe(t.hash);
    expect(t.hash).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
    const changed = { ...t, links: t.links.map((row, i) => row.map((token, j) => ((i === 0 && j === 1) || (i === 1 && j === 0) ? "SYS" : token))) };
    expect(withTopologyHash(changed).hash).not.toBe(t.hash);
  });
});

describe("migLayoutFromInstances", () => {
  it("groups the 7×1g.10gb H100 layout by GI id with one default CI each", () => {
    const layout = migLayoutFromInstances(
      parseMigGpuInstances(readNodeFixture("nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt")),
      parseMigComputeInstances(readNodeFixture("nvidia-smi-mig-lci_h100-80gb-hbm3_7x1g.10gb.txt")),
    );
    expect(layout).toHaveLength(1);
    expect(layout[0]!.gpu).toBe(0);
    expect(layout[0]!.gpuInstances.map((gi) => [gi.id, gi.profile, gi.placement?.start])).toEqual([
      [7, "1g.10gb", 0],
      [8, "1g.10gb", 1],
      [9, "1g.10gb", 2],
      [10, "1g.10gb", 3],
      [11, "1g.10gb", 4],
      [12, "1g.10gb", 5],
      [13, "1g.10gb", 6],
    ]);
    expect(layout[0]!.gpuInstances[0]).toEqual({ id: 7, profile: "1g.10gb", profileId: 19, placement: { start: 0, size: 1 }, computeInstances: [{ id: 0, profile: "1g.10gb", profileId: 0, placement: { start: 0, size: 1 } }] });
  });

  it("sorts GPUs and GI ids whatever order nvidia-smi printed them in", () => {
    const gi = (gpu: number, id: number) => ({ gpu, profile: "1g.10gb", profileId: 19, gpuInstanceId: id, placement: null });
    const layout = migLayoutFromInstances([gi(3, 9), gi(1, 13), gi(1, 2)], []);
    expect(layout.map((g) => [g.gpu, g.gpuInstances.map((x) => x.id)])).toEqual([
      [1, [2, 13]],
      [3, [9]],
    ]);
    // No Placement column (older drivers): the field is left out, not null.
    expect(layout[1]!.gpuInstances[0]).toEqual({ id: 9, profile: "1g.10gb", profileId: 19, computeInstances: [] });
  });

  it("refuses a compute instance whose GPU instance was not listed (the layout changed between the two commands)", () => {
    const ci = { gpu: 0, gpuInstanceId: 5, profile: "1g.10gb", profileId: 0, computeInstanceId: 0, placement: null };
    expect(() => migLayoutFromInstances([], [ci])).toThrow(new NodeReportInputError("computeInstances.0", "GPU 0 has no GPU instance 5"));
  });
});

describe("small pieces", () => {
  it("reports MIG modes in lower case, [N/A] as unsupported", () => {
    expect([migModeForReport("Enabled"), migModeForReport("Disabled"), migModeForReport(null)]).toEqual(["enabled", "disabled", "unsupported"]);
  });

  it("uses core/slo's tenant states", () => {
    expect(ReportedTenantState.options).toEqual(["normal", "degraded", "violated", "cooldown", "unknown"]);
  });

  it("counts the summary from the lists", () => {
    const s = aNodeReportStatus();
    expect(summarize({ ...s, topology: undefined, tenants: [...s.tenants, { ...s.tenants[0]!, uid: "x" }] })).toEqual({ gpus: 0, tenants: 3, violatedTenants: 2, throttles: 1, replicas: 3 });
  });

  it.each([
    [89_999, false],
    [90_000, false],
    [90_001, true],
  ])("calls a 30 s agent stale after 3 missed polls: %i ms after the heartbeat → %s", (afterMs, stale) => {
    expect(isStale({ heartbeat: "2025-03-01T12:00:00Z", pollIntervalSeconds: 30 }, Date.UTC(2025, 2, 1, 12) + afterMs)).toBe(stale);
  });
});

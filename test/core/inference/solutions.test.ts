/**
 * Spec §7.3–7.4: the shared expected solutions of the original optimizer. Error text exact; each
 * server's allocation equal to the expected one or one of its tie alternatives; total cost and
 * units per type exact; the saturation flag as the original reports it.
 */
import { describe, expect, it } from "vitest";
import { optimize, type InferenceProfile, type OptimizationResult } from "../../../core/inference/index.js";
import { expectedAllocation } from "./allocationMatch.js";
import { caseDir, expectedCase, fixtureJson, loadSystem, V078_CASES, type ExpectedAllocation } from "./inferenceFixtures.js";

function checkAgainstExpected(profile: InferenceProfile, name: string, result: OptimizationResult): void {
  const expected = expectedCase(profile, name);
  const allocations = (expected.solution ?? expected.partialAllocations)!.allocations;
  expect(result.error).toBe(expected.error);
  expect(Object.keys(result.allocations).sort()).toEqual(Object.keys(allocations).sort());
  for (const [server, want] of Object.entries(allocations)) {
    const acceptable = [want, ...(expected.tieAlternatives[server] ?? [])].map(expectedAllocation);
    expect(acceptable, server).toContainEqual(result.allocations[server]);
  }
  expect(result.totalCost).toBe(expected.totalCost);
  expect(result.unitsByType).toEqual(expected.unitsByType);
  expect(result.saturated).toEqual(expected.saturated);
}

describe("v078 solutions", () => {
  it.each(V078_CASES)("%s", (name) => {
    checkAgainstExpected("v078", name, optimize(loadSystem(caseDir(name)), "v078"));
  });
});

describe("legacy-v070 small", () => {
  const result = optimize(loadSystem(caseDir("small")), "legacy-v070");

  it("equals the original's legacy run", () => {
    checkAgainstExpected("legacy-v070", "small", result);
  });

  it("reproduces the sample data's committed solution-data.json (latencies to 1e-4)", () => {
    const committed = fixtureJson<{ allocations: Record<string, ExpectedAllocation> }>("sample-data/v0.7.0/small/solution-data.json").allocations;
    expect(Object.keys(result.allocations).sort()).toEqual(Object.keys(committed).sort());
    for (const [server, want] of Object.entries(committed)) {
      const got = result.allocations[server]!;
      expect({ ...got, itlAverage: 0, ttftAverage: 0 }, server).toEqual({ ...expectedAllocation(want), itlAverage: 0, ttftAverage: 0 });
      expect(Math.abs(got.itlAverage - want.itlAverage) / want.itlAverage).toBeLessThan(1e-4);
      expect(Math.abs(got.ttftAverage - want.ttftAverage) / want.ttftAverage).toBeLessThan(1e-4);
    }
  });
});

/**
 * Spec §7.2: per server, the candidate list before solving (accelerators, replicas, batch, cost,
 * value, latencies, rho, max RPM per replica) equals the original's, bit for bit.
 */
import { describe, expect, it } from "vitest";
import { buildCandidates } from "../../../core/inference/index.js";
import { candidateRow, expectedCandidateRow, sortedRows } from "./allocationMatch.js";
import { caseDir, expectedCase, loadSystem, V078_CASES } from "./inferenceFixtures.js";

const SHARED = [...V078_CASES.map((name) => ["v078", name] as const), ["legacy-v070", "small"] as const];

describe.each(SHARED)("candidates (%s) of %s", (profile, name) => {
  const expected = expectedCase(profile, name);
  const { candidatesByServer } = buildCandidates(loadSystem(caseDir(name)), profile);

  it("has a list for exactly the expected servers", () => {
    expect([...candidatesByServer.keys()].sort()).toEqual(Object.keys(expected.candidates).sort());
  });

  it.each(Object.keys(expected.candidates))("%s", (server) => {
    const actual = sortedRows((candidatesByServer.get(server) ?? []).map(candidateRow));
    expect(actual).toEqual(sortedRows(expected.candidates[server]!.map(expectedCandidateRow)));
  });
});

/**
 * Properties of the capacity-limited solver over random capacities and options on the small
 * sample: no card type is over-committed, every allocation is one of the server's candidates
 * (full, or fewer replicas by best effort), statuses and the v078 error agree with the plan.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildCandidates, optimize, SATURATION_POLICIES, type SystemSpec } from "../../../core/inference/index.js";
import { loadSystem } from "./inferenceFixtures.js";

const small = loadSystem("sample-data/v0.7.0/small");
const TYPES = ["L4", "A100", "AIU2", "G2"];
const { candidatesByServer } = buildCandidates(small);

const scenario = fc.record({
  capacity: fc.tuple(...TYPES.map(() => fc.integer({ min: 0, max: 600 }))),
  policy: fc.constantFrom(...SATURATION_POLICIES, "", "roundrobin"),
  delayed: fc.boolean(),
});

function withOptions(capacity: number[], policy: string, delayed: boolean): SystemSpec {
  return {
    ...small,
    capacityData: { count: TYPES.map((type, i) => ({ type, count: capacity[i]! })) },
    optimizerData: { optimizer: { ...small.optimizerData.optimizer, unlimited: false, saturationPolicy: policy, delayedBestEffort: delayed } },
  };
}

describe("capacity-limited plans", () => {
  it("never use more cards of a type than the capacity", () => {
    fc.assert(
      fc.property(scenario, ({ capacity, policy, delayed }) => {
        const plan = optimize(withOptions(capacity, policy, delayed));
        for (const [type, used] of Object.entries(plan.unitsByType)) expect(used.units).toBeLessThanOrEqual(capacity[TYPES.indexOf(type)]!);
      }),
      { numRuns: 40 },
    );
  });

  it("allocate only candidates, full or reduced, and report status and error consistently", () => {
    fc.assert(
      fc.property(scenario, ({ capacity, policy, delayed }) => {
        const plan = optimize(withOptions(capacity, policy, delayed));
        for (const [server, a] of Object.entries(plan.allocations)) {
          const candidate = candidatesByServer.get(server)!.find((c) => c.accelerator === a.accelerator && c.maxBatch === a.maxBatch);
          expect(candidate, server).toBeDefined();
          expect(a.numReplicas).toBeGreaterThan(0);
          expect(a.numReplicas).toBeLessThanOrEqual(candidate!.numReplicas);
          if (a.numReplicas < candidate!.numReplicas) expect(plan.status[server]).toBe("saturated");
        }
        const missing = Object.keys(plan.status).filter((s) => plan.allocations[s] === undefined);
        for (const s of missing) expect(plan.status[s]).not.toBe("allocated");
        expect(plan.error).toBe(missing.length === 0 ? "" : `no feasible allocation for servers: [${missing.join(", ")}]`);
        if (policy === "None" || policy === "" || policy === "roundrobin") expect(Object.values(plan.saturated).every((s) => !s)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("with enough capacity, equal the unlimited plan", () => {
    const roomy = withOptions([100_000, 100_000, 100_000, 100_000], "None", false);
    const unlimited = { ...roomy, optimizerData: { optimizer: { ...roomy.optimizerData.optimizer, unlimited: true } } };
    expect(optimize(roomy)).toEqual(optimize(unlimited));
  });
});

/**
 * Spec §7.6 and §3.5: the original breaks exact value ties at random; this optimizer must not.
 * 100 runs of `large` (greedy and unlimited) give one identical answer, and the answer does not
 * depend on the order of the input lists.
 */
import { describe, expect, it } from "vitest";
import { optimize, type SystemSpec } from "../../../core/inference/index.js";
import { loadSystem } from "./inferenceFixtures.js";

/** A deterministic shuffle (fixed LCG) to permute input lists. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function permuted(system: SystemSpec, seed: number): SystemSpec {
  return {
    ...system,
    acceleratorData: { accelerators: shuffled(system.acceleratorData.accelerators, seed) },
    serverData: { servers: shuffled(system.serverData.servers, seed + 1) },
    capacityData: { count: shuffled(system.capacityData.count, seed + 2) },
  };
}

describe.each(["sample-data/v0.7.0/large", "cases/large-unlimited"])("determinism of %s", (dir) => {
  const system = loadSystem(dir);
  const first = JSON.stringify(optimize(system));

  it("gives one identical answer over 100 runs", () => {
    const answers = new Set<string>();
    for (let run = 0; run < 100; run++) answers.add(JSON.stringify(optimize(system)));
    expect([...answers]).toEqual([first]);
  });

  it("does not depend on the order of servers, accelerators or capacity entries", () => {
    for (const seed of [1, 7, 42]) expect(JSON.stringify(optimize(permuted(system, seed)))).toBe(first);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DEFAULT_SCORING_CONFIG,
  ScoringInputError,
  assignJobsToGpus,
  resolveScoringConfig,
  solveSinkhorn,
  type GpuShare,
} from "../../../core/scoring/index.js";
import { expectClose, sinkhornCases } from "./seedVectors.js";

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const rowSums = (p: number[][]): number[] => p.map(sum);
const colSums = (p: number[][]): number[] => (p[0] ?? []).map((_, j) => sum(p.map((r) => r[j]!)));
const shareMap = (shares: GpuShare[]): Map<number, number> => new Map(shares.map((s) => [s.gpuIndex, s.share]));

/** Inputs behind each block of C_sinkhorn_vectors.txt (the file names them; the seed's tests hold them). */
const solveInputs: Record<string, { costs: number[][]; supply: number[]; demand: number[]; epsilon: number }> = {
  "2x2 eps0.1 iters 100": { costs: [[1, 2], [2, 1]], supply: [1, 1], demand: [1, 1], epsilon: 0.1 },
  "3x3 eps0.1 iters 100": { costs: [[1, 2, 3], [2, 1, 2], [3, 2, 1]], supply: [1, 1, 1], demand: [1, 1, 1], epsilon: 0.1 },
  "3x2 unbalanced iters 100": { costs: [[1, 2], [2, 1], [1.5, 1.5]], supply: [1, 1, 1], demand: [2, 1], epsilon: 0.1 },
  "2x2 eps1 [[1,5],[5,1]] iters 1": { costs: [[1, 5], [5, 1]], supply: [1, 1], demand: [1, 1], epsilon: 1 },
  "2x2 eps0.01 [[1,5],[5,1]] iters 2": { costs: [[1, 5], [5, 1]], supply: [1, 1], demand: [1, 1], epsilon: 0.01 },
};
const assignInputs: Record<string, { jobCosts: number[][]; capacities: number[] }> = {
  "assign 3 jobs [2,2]": { jobCosts: [[1, 2], [2, 1], [1.5, 1.5]], capacities: [2, 2] },
  "assign 4 jobs [2,1,2]": { jobCosts: [[1, 2, 3], [3, 1, 2], [2, 3, 1], [2, 2, 2]], capacities: [2, 1, 2] },
  "assign pref [1,1]": { jobCosts: [[1, 10], [10, 1]], capacities: [1, 1] },
};

const cases = sinkhornCases();
const solveCases = cases.filter((c) => c.plan !== undefined);
const assignCases = cases.filter((c) => c.assignments !== undefined);

describe("Sinkhorn against the seed's vectors", () => {
  it("covers every block of the fixture", () => {
    expect(solveCases.map((c) => c.header).sort()).toEqual(Object.keys(solveInputs).sort());
    expect(assignCases.map((c) => c.header).sort()).toEqual(Object.keys(assignInputs).sort());
  });

  it.each(solveCases)("$header: same plan, marginals and iteration count", ({ header, plan, rows, cols, iterations }) => {
    const input = solveInputs[header]!;
    const got = solveSinkhorn(input.costs, input.supply, input.demand, { epsilon: input.epsilon });
    expect(got.iterations).toBe(iterations);
    // The fixture prints 13 significant digits.
    got.plan.forEach((row, i) => row.forEach((x, j) => expectClose(x, plan![i]![j]!, 1e-9)));
    rowSums(got.plan).forEach((x, i) => expectClose(x, rows![i]!, 1e-9));
    colSums(got.plan).forEach((x, j) => expectClose(x, cols![j]!, 1e-9));
  });

  it.each(assignCases)("$header: same per-job shares", ({ header, assignments }) => {
    const input = assignInputs[header]!;
    const got = assignJobsToGpus(input.jobCosts, input.capacities);
    expect(got).toHaveLength(assignments!.length);
    got.forEach((shares, job) => {
      const want = assignments![job]!;
      expect([...shareMap(shares).keys()]).toEqual([...want.keys()]);
      for (const s of shares) expectClose(s.share, want.get(s.gpuIndex)!, 1e-12);
    });
  });

  it("keeps the seed's 1e-10 guard: at ε = 0.01 the plan degenerates instead of becoming the identity", () => {
    const { plan, converged } = solveSinkhorn([[1, 5], [5, 1]], [1, 1], [1, 1], { epsilon: 0.01 });
    expect(converged).toBe(true);
    expect(plan[0]![0]!).toBeLessThan(1e-20);
  });
});

describe("Sinkhorn behaviour the seed's tests ask for", () => {
  it("a symmetric 2×2 problem meets both marginals within 1e-3", () => {
    const { plan } = solveSinkhorn([[1, 2], [2, 1]], [1, 1], [1, 1], { epsilon: 0.1 });
    for (const s of [...rowSums(plan), ...colSums(plan)]) expect(Math.abs(s - 1)).toBeLessThan(1e-3);
  });

  it("three jobs over two GPUs of capacity 2 each: every job gets shares summing to about 1", () => {
    const got = assignJobsToGpus([[1, 2], [2, 1], [1.5, 1.5]], [2, 2]);
    expect(got).toHaveLength(3);
    for (const shares of got) {
      expect(shares.length).toBeGreaterThan(0);
      expect(Math.abs(sum(shares.map((s) => s.share)) - 1)).toBeLessThan(0.1);
    }
  });

  it("a 3×3 problem meets its marginals within 1e-3 and stays non-negative", () => {
    const { plan } = solveSinkhorn([[1, 2, 3], [2, 1, 2], [3, 2, 1]], [1, 1, 1], [1, 1, 1]);
    rowSums(plan).forEach((s) => expect(Math.abs(s - 1)).toBeLessThan(1e-3));
    colSums(plan).forEach((s) => expect(Math.abs(s - 1)).toBeLessThan(1e-3));
    plan.flat().forEach((x) => expect(x).toBeGreaterThanOrEqual(0));
  });

  it("an unbalanced 3×2 problem keeps its shape and does not move more than the capacity", () => {
    const { plan } = solveSinkhorn([[1, 2], [2, 1], [1.5, 1.5]], [1, 1, 1], [2, 1]);
    expect(plan.map((r) => r.length)).toEqual([2, 2, 2]);
    expect(sum(plan.flat())).toBeLessThanOrEqual(3 + 1e-3);
  });

  it("random 5×4 costs with slightly unbalanced capacity give a finite, non-negative plan", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 5, maxLength: 5 }), (costs) => {
        const { plan } = solveSinkhorn(costs, [1, 1, 1, 1, 1], [1.25, 1.25, 1.25, 1.25]);
        return plan.flat().every((x) => Number.isFinite(x) && x >= 0);
      }),
      { seed: 42 },
    );
  });

  it("four jobs over GPUs of capacity 2, 1, 2: each job gets positive shares on real GPUs summing to 0.8–1.2", () => {
    const got = assignJobsToGpus([[1, 2, 3], [3, 1, 2], [2, 3, 1], [2, 2, 2]], [2, 1, 2]);
    expect(got).toHaveLength(4);
    for (const shares of got) {
      expect(shares.length).toBeGreaterThan(0);
      const total = sum(shares.map((s) => s.share));
      expect(total).toBeGreaterThanOrEqual(0.8);
      expect(total).toBeLessThanOrEqual(1.2);
      for (const s of shares) {
        expect(s.share).toBeGreaterThan(0);
        expect(s.gpuIndex).toBeLessThan(3);
      }
    }
  });

  it("each job lands mostly on the GPU it is much cheaper on", () => {
    const [job0, job1] = assignJobsToGpus([[1, 10], [10, 1]], [1, 1]).map(shareMap);
    expect(job0!.get(0)!).toBeGreaterThan(job0!.get(1) ?? 0);
    expect(job1!.get(1)!).toBeGreaterThan(job1!.get(0) ?? 0);
  });

  it("no jobs or no GPUs give no assignments", () => {
    expect(assignJobsToGpus([], [1, 2, 3])).toEqual([]);
    expect(assignJobsToGpus([[1, 2]], [])).toEqual([]);
  });

  it("a larger ε spreads the plan: its entropy is higher", () => {
    const entropy = (p: number[][]): number => -sum(p.flat().map((x) => x * Math.log(x + 1e-10)));
    const wide = solveSinkhorn([[1, 5], [5, 1]], [1, 1], [1, 1], { epsilon: 1 }).plan;
    const sharp = solveSinkhorn([[1, 5], [5, 1]], [1, 1], [1, 1], { epsilon: 0.01 }).plan;
    expect(entropy(wide)).toBeGreaterThan(entropy(sharp));
  });

  it("is deterministic: the same input gives the same plan", () => {
    const costs = [[0.3, 0.7, 0.1], [0.9, 0.2, 0.5], [0.4, 0.6, 0.8]];
    expect(solveSinkhorn(costs, [1, 1, 1], [1, 1, 1])).toEqual(solveSinkhorn(costs, [1, 1, 1], [1, 1, 1]));
  });

  it("batch assignment is behind a config flag that is off by default", () => {
    expect(DEFAULT_SCORING_CONFIG.enableSinkhorn).toBe(false);
    expect(resolveScoringConfig({ enableSinkhorn: true }).enableSinkhorn).toBe(true);
  });
});

describe("Sinkhorn properties", () => {
  const balanced = fc
    .record({ n: fc.integer({ min: 1, max: 5 }), m: fc.integer({ min: 1, max: 5 }) })
    .chain(({ n, m }) =>
      fc.record({
        costs: fc.array(fc.array(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
        epsilon: fc.double({ min: 0.5, max: 5, noNaN: true }),
        weights: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: m, maxLength: m }),
      }),
    );

  it("with moderate ε, rows sum to the supply and columns converge to the demand", () => {
    fc.assert(
      fc.property(balanced, ({ costs, epsilon, weights }) => {
        const n = costs.length;
        const total = sum(weights);
        const demand = weights.map((w) => (w / total) * n);
        const { plan } = solveSinkhorn(costs, new Array<number>(n).fill(1), demand, { epsilon, maxIterations: 2000 });
        // Rows are rescaled last, so they are off only by the guard (relative 1e-10 ÷ (K·v)); the
        // columns are what the iterations converge.
        rowSums(plan).forEach((s) => expect(Math.abs(s - 1)).toBeLessThan(1e-6));
        colSums(plan).forEach((s, j) => expect(Math.abs(s - demand[j]!)).toBeLessThan(1e-4));
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("every assignment share is finite, in (1e-6, 1] and on a GPU that exists", () => {
    fc.assert(
      fc.property(balanced, ({ costs, epsilon, weights }) => {
        const got = assignJobsToGpus(costs, weights, { epsilon });
        expect(got).toHaveLength(costs.length);
        for (const s of got.flat()) {
          expect(Number.isFinite(s.share)).toBe(true);
          expect(s.share).toBeGreaterThan(1e-6);
          expect(s.share).toBeLessThanOrEqual(1 + 1e-9);
          expect(s.gpuIndex).toBeLessThan(weights.length);
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

describe("Sinkhorn input checks", () => {
  it.each([
    ["no cost rows", () => solveSinkhorn([], [], [1]), "costs"],
    ["no demand", () => solveSinkhorn([[1]], [1], []), "demand"],
    ["supply of the wrong length", () => solveSinkhorn([[1, 2]], [1, 1], [1, 1]), "supply"],
    ["a ragged cost row", () => solveSinkhorn([[1, 2], [3]], [1, 1], [1, 1]), "costs[1]"],
    ["a NaN cost", () => solveSinkhorn([[1, Number.NaN]], [1], [1, 1]), "costs[0][1]"],
    ["a negative demand", () => solveSinkhorn([[1, 2]], [1], [1, -1]), "demand[1]"],
    ["ε of 0", () => solveSinkhorn([[1]], [1], [1], { epsilon: 0 }), "epsilon"],
    ["a fractional iteration limit", () => solveSinkhorn([[1]], [1], [1], { maxIterations: 1.5 }), "maxIterations"],
    ["zero total capacity", () => assignJobsToGpus([[1, 2]], [0, 0]), "gpuCapacities"],
    ["a job row not matching the GPUs", () => assignJobsToGpus([[1, 2], [1]], [1, 1]), "jobCosts[1]"],
  ])("rejects %s, naming the field", (_name, call, field) => {
    let thrown: unknown;
    try {
      call();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ScoringInputError);
    expect((thrown as ScoringInputError).field).toBe(field);
  });
});

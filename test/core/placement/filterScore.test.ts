import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkFit, checkWeights, fitKeyOf, COMPONENTS, DEFAULT_WEIGHTS, freeGpus, nodeScore, type NodeCapacity } from "../../../core/placement/index.js";

const node = (overrides: Partial<NodeCapacity> = {}): NodeCapacity => {
  const n = { name: "n1", product: "NVIDIA-H100-80GB-HBM3", allocatableGpus: 8, usedGpus: 2, jobTypes: new Map(), jobTypesKey: "", ...overrides };
  return { ...n, fitKey: fitKeyOf(n) };
};

describe("checkFit", () => {
  it("fits when enough GPUs of an accepted type are free", () => {
    expect(checkFit(node(), { gpus: 6 })).toEqual({ fits: true });
    expect(checkFit(node(), { gpus: 6, products: ["NVIDIA-H100-80GB-HBM3"] })).toEqual({ fits: true });
  });

  it.each<[string, Partial<NodeCapacity>, Parameters<typeof checkFit>[1], RegExp]>([
    ["too few free GPUs", {}, { gpus: 7 }, /6 of 8 GPUs free, pod needs 7/],
    ["no GPUs at all", { allocatableGpus: 0, usedGpus: 0 }, { gpus: 1 }, /no allocatable GPUs/],
    ["another GPU type", {}, { gpus: 1, products: ["NVIDIA-A100-SXM4-80GB"] }, /GPU type NVIDIA-H100-80GB-HBM3, pod needs NVIDIA-A100-SXM4-80GB/],
    ["an unlabelled node when a type is asked", { product: undefined }, { gpus: 1, products: ["X"] }, /GPU type unknown/],
  ])("fails with a reason: %s", (_what, overrides, request, reason) => {
    const fit = checkFit(node(overrides), request);
    expect(fit.fits).toBe(false);
    expect(!fit.fits && fit.reason).toMatch(reason);
  });

  it("closes a pool at its spend target", () => {
    expect(checkFit(node({ pool: "credits" }), { gpus: 1 }, { poolClosed: "credits" })).toEqual({ fits: false, reason: "gpu-steward: pool credits is at its spend target" });
    expect(checkFit(node({ pool: "on-demand" }), { gpus: 1 }, { poolClosed: "credits" })).toEqual({ fits: true });
  });

  it("a pod asking no GPU fits anywhere", () => {
    expect(checkFit(node({ allocatableGpus: 0, usedGpus: 0 }), { gpus: 0 })).toEqual({ fits: true });
  });

  it("property: never passes a node without room", () => {
    fc.assert(
      fc.property(fc.nat(16), fc.nat(20), fc.integer({ min: 1, max: 16 }), (allocatable, used, asked) => {
        const n = node({ allocatableGpus: allocatable, usedGpus: used });
        if (checkFit(n, { gpus: asked }).fits) expect(freeGpus(n)).toBeGreaterThanOrEqual(asked);
      }),
      { seed: 3 },
    );
  });
});

describe("nodeScore", () => {
  it("is the weighted mean scaled to 0..10", () => {
    expect(nodeScore({ runtime: 1, interference: 1, topology: 1, spend: 1 }, DEFAULT_WEIGHTS)).toBe(10);
    expect(nodeScore({ runtime: 0, interference: 0, topology: 0, spend: 0 }, DEFAULT_WEIGHTS)).toBe(0);
    expect(nodeScore({ runtime: 1, interference: 0, topology: 0, spend: 0 }, { runtime: 3, interference: 1, topology: 0, spend: 0 })).toBe(8);
  });

  it("property: always an integer in 0..10, whatever the components (NaN and out of range included)", () => {
    const component = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.double({ min: 0, max: 1 }));
    const weight = fc.double({ min: 0, max: 100, noNaN: true });
    fc.assert(
      fc.property(fc.tuple(component, component, component, component), fc.tuple(weight, weight, weight, weight), (c, w) => {
        const weights = { runtime: w[0], interference: w[1], topology: w[2], spend: w[3] };
        fc.pre(checkWeights(weights) === undefined);
        const score = nodeScore({ runtime: c[0], interference: c[1], topology: c[2], spend: c[3] }, weights);
        expect(Number.isInteger(score)).toBe(true);
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(10);
      }),
      { seed: 5, numRuns: 500 },
    );
  });

  it("checkWeights names a bad weight", () => {
    expect(checkWeights({ ...DEFAULT_WEIGHTS, topology: -1 })).toMatch(/^weight topology/);
    expect(checkWeights({ runtime: 0, interference: 0, topology: 0, spend: 0 })).toMatch(/at least one/);
    expect(COMPONENTS).toHaveLength(4);
  });
});

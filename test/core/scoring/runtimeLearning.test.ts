import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DEFAULT_SCORING_CONFIG,
  MAX_RUNTIME_S,
  PRIOR,
  ScoringModel,
  VARIANCE_FLOOR,
  informationGain,
} from "../../../core/scoring/index.js";
import { expectClose, noisyRuntimes, schedulerVectors as v } from "./seedVectors.js";

const JOB = "fine-tune";
const GPU = "A100-80GB";

/** Feeds runtimes one per second and returns the model. */
function learned(runtimes: readonly number[], model = new ScoringModel()): ScoringModel {
  runtimes.forEach((runtimeS, i) => model.observe({ jobType: JOB, gpuType: GPU, runtimeS }, i * 1000));
  return model;
}

const sigmaOf = (m: ScoringModel): number => Math.sqrt(m.estimate(JOB, GPU).variance);

describe("information gain", () => {
  it.each(Object.entries(v.ig))("IG(σ² = %s) matches the seed with τ² = 0.15", (variance, want) => {
    expectClose(informationGain(Number(variance), DEFAULT_SCORING_CONFIG.tauSquared), want, 1e-12);
  });

  it("grows strictly with the variance and stays in [0, 10) over the seed's range", () => {
    const gains = [0.1, 1, 4, 16, 25].map((s2) => informationGain(s2, 0.15));
    gains.slice(1).forEach((g, i) => expect(g).toBeGreaterThan(gains[i]!));
    gains.forEach((g) => {
      expect(g).toBeGreaterThanOrEqual(0);
      expect(g).toBeLessThan(10);
    });
  });

  it("is finite, non-negative and monotone for any variance and τ²", () => {
    const pos = fc.double({ min: 1e-6, max: 1e9, noNaN: true });
    fc.assert(
      fc.property(pos, pos, pos, (a, b, tau2) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const gLo = informationGain(lo, tau2);
        expect(Number.isFinite(gLo) && gLo >= 0).toBe(true);
        expect(informationGain(hi, tau2)).toBeGreaterThanOrEqual(gLo);
      }),
      { seed: 3 },
    );
  });
});

describe("runtime learning", () => {
  it("an unseen pair reads as the vague prior (σ = 5 > 2)", () => {
    const m = new ScoringModel();
    expect(m.estimate(JOB, GPU)).toEqual({ meanRuntimeS: PRIOR.meanRuntimeS, variance: PRIOR.variance });
    expect(sigmaOf(m)).toBeGreaterThan(2);
    expect(m.statsOf(JOB, GPU)).toBeUndefined();
  });

  it("follows the reconciled mean and variance step by step (5.0, 5.2, 4.8, 5.1, 4.9)", () => {
    const m = new ScoringModel();
    v.reconciled_obs5.forEach(([runtimeS, mean, variance], i) => {
      m.observe({ jobType: JOB, gpuType: GPU, runtimeS }, i);
      const s = m.statsOf(JOB, GPU)!;
      expectClose(s.meanRuntimeS, mean, 1e-12);
      expectClose(s.variance, variance, 1e-12);
      expect(s.count).toBe(i + 1);
      expect(s.lastUpdatedMs).toBe(i);
    });
  });

  it("keeps the seed's mean update: the means equal its original sequence", () => {
    const m = new ScoringModel();
    v.orig_obs5.forEach(([runtimeS, mean]) => {
      m.observe({ jobType: JOB, gpuType: GPU, runtimeS }, 0);
      expectClose(m.estimate(JOB, GPU).meanRuntimeS, mean, 1e-12);
    });
  });

  it("constant runs shrink the variance by 0.9 per run, as in the seed (20 × 10 s → 0.9¹⁹)", () => {
    const s = learned(new Array(20).fill(10)).statsOf(JOB, GPU)!;
    expect(v.reconciled_const10x20).toEqual(v.orig_const10x20);
    expectClose(s.meanRuntimeS, v.reconciled_const10x20[0]);
    expectClose(s.variance, v.reconciled_const10x20[1], 1e-12);
  });

  it("many identical runs stop at the variance floor: σ = 0.1, small but not zero", () => {
    const s = learned(new Array(100).fill(7.5)).statsOf(JOB, GPU)!;
    expect(s.variance).toBe(VARIANCE_FLOOR);
    expect(Math.sqrt(s.variance)).toBeGreaterThan(0.01);
    expect(Math.sqrt(s.variance)).toBeLessThan(1);
  });

  it("noisy runtimes (50 × U(1, 20), seed 42): σ settles near the data's spread, below the prior's 5", () => {
    const m = learned(noisyRuntimes);
    const [mean, variance] = v.reconciled_noisy_final;
    expectClose(m.estimate(JOB, GPU).meanRuntimeS, mean, 1e-9);
    expectClose(m.estimate(JOB, GPU).variance, variance, 1e-9);
    expect(sigmaOf(m)).toBeLessThan(5);
    expect(sigmaOf(m)).toBeGreaterThan(1);
  });

  it("the seed's variance update would have ended above the prior on the same data (the fixed bug)", () => {
    expect(Math.sqrt(v.orig_noisy_final[1])).toBeGreaterThan(5);
    expect(v.orig_noisy_final[0]).toBe(v.reconciled_noisy_final[0]);
  });

  it("ten runs around 5 s: σ drops below the prior and the mean is within 1 s of their average", () => {
    const runs = [5.0, 5.2, 4.8, 5.1, 4.9, 5.3, 4.7, 5.0, 5.1, 4.8];
    const m = learned(runs);
    expect(sigmaOf(m)).toBeLessThan(Math.sqrt(PRIOR.variance));
    const avg = runs.reduce((a, b) => a + b, 0) / runs.length;
    expect(Math.abs(m.estimate(JOB, GPU).meanRuntimeS - avg)).toBeLessThan(1);
  });

  it("σ never rises by more than 0.1 between identical runs and ends lower than it started", () => {
    const m = new ScoringModel();
    const sigmas: number[] = [];
    for (let i = 0; i < 20; i++) {
      if (i > 0) sigmas.push(sigmaOf(m));
      m.observe({ jobType: JOB, gpuType: GPU, runtimeS: 10 }, i);
    }
    sigmas.slice(1).forEach((s, i) => expect(s).toBeLessThanOrEqual(sigmas[i]! + 0.1));
    expect(sigmas.at(-1)!).toBeLessThan(sigmas[0]!);
  });

  it("pairs learn independently: a well-observed job does not change an unobserved one", () => {
    const m = learned(new Array(20).fill(5));
    expect(sigmaOf(m)).toBeLessThan(Math.sqrt(m.estimate("never-seen", GPU).variance));
    expect(m.estimate("never-seen", GPU)).toEqual({ ...PRIOR });
    expect(m.estimate(JOB, "L4-24GB")).toEqual({ ...PRIOR });
  });

  it("observing any sequence of sane runtimes keeps the stats finite, floored and within the data's range", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: MAX_RUNTIME_S, noNaN: true }), { minLength: 1, maxLength: 200 }), (runs) => {
        const s = learned(runs).statsOf(JOB, GPU)!;
        expect(Number.isFinite(s.meanRuntimeS)).toBe(true);
        expect(Number.isFinite(s.variance)).toBe(true);
        expect(s.variance).toBeGreaterThanOrEqual(VARIANCE_FLOOR);
        expect(s.meanRuntimeS).toBeGreaterThanOrEqual(Math.min(...runs) * (1 - 1e-12));
        expect(s.meanRuntimeS).toBeLessThanOrEqual(Math.max(...runs) * (1 + 1e-12));
        expect(s.count).toBe(runs.length);
      }),
      { seed: 5 },
    );
  });
});

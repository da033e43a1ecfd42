import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GPU_CLASS_LABEL, MAX_RUNTIME_S, ScoringModel, type ScoreDecision } from "../../../core/scoring/index.js";
import { expectClose, expectTermsClose, schedulerVectors as v } from "./seedVectors.js";

const A100 = "A100-80GB";
const L4 = "L4-24GB";

describe("scoring against the seed's vectors", () => {
  it("two unseen GPU types: the first wins the tie with a neutral priority and the prior's terms", () => {
    const d = new ScoringModel().score({ jobType: "new-job", candidateGpuTypes: [A100, L4] });
    const want = v.orig_first_score_two_unseen;
    expect(d.chosenGpu).toBe(want.chosen);
    expect(d.priorityScore).toBe(want.priority);
    expectTermsClose(d.terms, want.terms, 1e-12);
    expectClose(d.terms.cost, v.prior_cost_default, 1e-12);
    expect(d.gpuSelector).toEqual(want.sel);
    expect(d.mode).toBe("exploration");
  });

  it("one run each (5 s on A100, 8 s on L4): A100 is cheaper by exactly 3 and gets priority 100", () => {
    const m = new ScoringModel();
    m.observe({ jobType: "sensitive-job", gpuType: A100, runtimeS: 5 }, 0);
    m.observe({ jobType: "sensitive-job", gpuType: L4, runtimeS: 8 }, 0);
    const d = m.score({ jobType: "sensitive-job", candidateGpuTypes: [A100, L4] });
    const [clean, priority, terms] = v.reconciled_affects_scoring.clean;
    expect(d.chosenGpu).toBe(clean);
    expect(d.priorityScore).toBe(priority);
    expectTermsClose(d.terms, terms, 1e-12);
    expectClose(d.candidates[1]!.cost, 7.587091325458636, 1e-12);
    expect(d.candidates.map((c) => c.priorityScore)).toEqual([100, 0]);
    expect(d.mode).toBe("exploitation");
  });

  it("a single candidate gets priority 50", () => {
    expect(new ScoringModel().score({ jobType: "j", candidateGpuTypes: [L4] }).priorityScore).toBe(50);
  });

  it("lists every candidate in request order with its own terms", () => {
    const m = new ScoringModel();
    m.observe({ jobType: "j", gpuType: L4, runtimeS: 3 }, 0);
    const d = m.score({ jobType: "j", candidateGpuTypes: [A100, L4, "H100-80GB"] });
    expect(d.candidates.map((c) => c.gpuType)).toEqual([A100, L4, "H100-80GB"]);
    expect(d.chosenGpu).toBe(L4);
    expect(d.candidates[1]!.priorityScore).toBe(100);
    expect(d.gpuSelector.nodeSelector).toEqual({ [GPU_CLASS_LABEL]: L4 });
  });

  it("after runs on the chosen GPU, the next decision reports lower σ and lower information gain", () => {
    const m = new ScoringModel();
    const first = m.score({ jobType: "j", candidateGpuTypes: [A100, L4] });
    for (const runtimeS of [8.0, 7.8, 8.2, 7.9, 8.1]) m.observe({ jobType: "j", gpuType: first.chosenGpu, runtimeS }, 0);
    const next = m.score({ jobType: "j", candidateGpuTypes: [A100, L4] });
    expect(next.terms.sigma).toBeLessThan(first.terms.sigma);
    expect(next.terms.ig).toBeLessThan(first.terms.ig);
  });
});

describe("scoring properties", () => {
  const names = fc.constantFrom("A100-80GB", "A100-40GB", "L4-24GB", "H100-80GB", "T4");
  const jobs = fc.constantFrom("bert", "llama", "clip", "gpt");
  const observation = fc.record({
    jobType: jobs,
    gpuType: names,
    runtimeS: fc.double({ min: 0, max: MAX_RUNTIME_S, noNaN: true }),
    colocatedJobTypes: fc.array(jobs, { maxLength: 3 }),
  });

  it("whatever was learned, every score is finite, priorities lie in 0..100 and the choice is a candidate", () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 60 }),
        fc.uniqueArray(names, { minLength: 1, maxLength: 5 }),
        fc.array(jobs, { maxLength: 4 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (observations, candidates, colocated, cap) => {
          const m = new ScoringModel({ explorationCap: cap });
          observations.forEach((o, i) => m.observe(o, i));
          const d: ScoreDecision = m.score({ jobType: "bert", candidateGpuTypes: candidates, colocatedJobTypes: colocated });
          expect(candidates).toContain(d.chosenGpu);
          for (const c of [d.terms, ...d.candidates]) {
            for (const x of [c.mu, c.sigma, c.ig, c.penalty, c.cost]) expect(Number.isFinite(x)).toBe(true);
          }
          for (const p of [d.priorityScore, ...d.candidates.map((c) => c.priorityScore)]) {
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(100);
          }
          expect(d.candidates.some((c) => c.priorityScore === 100) || d.candidates.every((c) => c.priorityScore === 50)).toBe(true);
        },
      ),
      { seed: 17 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { ScoringModel, decisionTypeOf, regretEstimate } from "../../../core/scoring/index.js";

describe("model metrics", () => {
  it("average σ over the stored pairs, counts of pairs and learned interference", () => {
    const m = new ScoringModel();
    expect(m.metrics()).toEqual({
      decisionsTotal: 0,
      explorationDecisions: 0,
      explorationRatio: 0,
      avgUncertainty: 0,
      statsCount: 0,
      interferencePairs: 0,
    });
    m.observe({ jobType: "a", gpuType: "A100", runtimeS: 5 }, 0); // σ 1
    for (let i = 0; i < 100; i++) m.observe({ jobType: "b", gpuType: "A100", runtimeS: 7 }, i); // σ 0.1 (floor)
    m.observe({ jobType: "a", gpuType: "A100", runtimeS: 9, colocatedJobTypes: ["x", "y"] }, 200);
    const metrics = m.metrics();
    expect(metrics.avgUncertainty).toBeCloseTo((1 + 0.1) / 2, 12);
    expect(metrics.statsCount).toBe(2);
    expect(metrics.interferencePairs).toBe(2);
  });

  it("label a decision by its reported σ, as the seed's counter did", () => {
    const terms = { mu: 1, ig: 0, penalty: 0, cost: 1 };
    expect(decisionTypeOf({ ...terms, sigma: 5 })).toBe("exploration");
    expect(decisionTypeOf({ ...terms, sigma: 1 })).toBe("exploitation");
  });

  it.each([
    [0, 0],
    [0.1, 0],
    [0.25, 0.15],
    [1, 0.9],
  ])("regret estimate at exploration ratio %s is %s", (ratio, regret) => {
    expect(regretEstimate(ratio)).toBeCloseTo(regret, 12);
  });
});

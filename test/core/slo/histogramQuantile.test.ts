import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { histogramQuantile, latencyHistogram, parseExposition } from "../../../core/slo/index.js";
import { buckets, nodeFixture, VLLM_DUMP } from "./sloFixtures.js";

const INF = Number.POSITIVE_INFINITY;

describe("histogramQuantile on the vLLM dump (cumulative since start)", () => {
  const { samples } = parseExposition(nodeFixture(VLLM_DUMP));
  const e2e = latencyHistogram(samples, "e2e")!.buckets;
  const ttft = latencyHistogram(samples, "ttft")!.buckets;

  it("e2e p99: rank 37.62 of 38 falls in (60, 120] with 37→38, so 60 + 60 · 0.62 = 97.2 s", () => {
    expect(histogramQuantile(0.99, e2e)).toBeCloseTo(97.2, 10);
  });
  it("e2e p50: rank 19 falls in (15, 20] with 1→28, so 15 + 5 · 18/27 = 18.33 s", () => {
    expect(histogramQuantile(0.5, e2e)).toBeCloseTo(15 + (5 * 18) / 27, 10);
  });
  it("TTFT p99: rank 68.31 of 69 falls in (160, 640] with 56→69, so 614.5 s", () => {
    expect(histogramQuantile(0.99, ttft)).toBeCloseTo(160 + (480 * (68.31 - 56)) / 13, 10);
  });
});

describe("histogramQuantile edge rules (as PromQL)", () => {
  const simple = buckets([[1, 5], [2, 10], [4, 20], [INF, 20]]);

  it.each([
    { name: "q below 0 gives −Inf", q: -0.1, b: simple, want: Number.NEGATIVE_INFINITY },
    { name: "q above 1 gives +Inf", q: 1.1, b: simple, want: INF },
    { name: "q NaN gives NaN", q: Number.NaN, b: simple, want: Number.NaN },
    { name: "no +Inf bucket gives NaN", q: 0.5, b: buckets([[1, 5], [2, 10]]), want: Number.NaN },
    { name: "only the +Inf bucket gives NaN", q: 0.5, b: buckets([[INF, 10]]), want: Number.NaN },
    { name: "no observations gives NaN", q: 0.5, b: buckets([[1, 0], [INF, 0]]), want: Number.NaN },
    { name: "no buckets gives NaN", q: 0.5, b: [], want: Number.NaN },
    { name: "rank only reached in +Inf gives the highest finite bound", q: 0.99, b: buckets([[1, 5], [2, 10], [INF, 20]]), want: 2 },
    { name: "first bucket bound ≤ 0 is returned as is", q: 0.1, b: buckets([[-1, 5], [1, 10], [INF, 10]]), want: -1 },
    { name: "first bucket interpolates from 0", q: 0.25, b: simple, want: 1 * (5 / 5) },
    { name: "q 0 with observations in the first bucket gives 0", q: 0, b: simple, want: 0 },
    // 0/0 inside an empty first bucket: PromQL returns NaN here too.
    { name: "q 0 with an empty first bucket gives NaN", q: 0, b: buckets([[1, 0], [2, 4], [INF, 4]]), want: Number.NaN },
    { name: "q 1 lands on the upper bound of the last filled bucket", q: 1, b: simple, want: 4 },
    { name: "interpolation inside a middle bucket", q: 0.75, b: simple, want: 2 + 2 * ((15 - 10) / 10) },
    { name: "unsorted input is sorted by bound", q: 0.75, b: [...simple].reverse(), want: 3 },
    { name: "equal bounds are summed", q: 0.5, b: buckets([[1, 2], [1, 3], [2, 10], [INF, 10]]), want: 1 },
    { name: "a dip in counts is lifted to the previous count", q: 0.5, b: buckets([[1, 5], [2, 3], [4, 10], [INF, 10]]), want: 1 },
    { name: "a 1e-13 relative dip is float noise and ignored", q: 0.5, b: buckets([[1, 10], [2, 10 - 1e-12], [INF, 20]]), want: 1 },
  ])("$name", ({ q, b, want }) => {
    const got = histogramQuantile(q, b);
    if (Number.isNaN(want)) expect(got).toBeNaN();
    else expect(got).toBeCloseTo(want, 12);
  });

  it("stays inside the bucket bounds and is monotone in q", () => {
    const bounds = [0.1, 0.5, 1, 2.5, 10];
    const arbCounts = fc.array(fc.nat({ max: 50 }), { minLength: bounds.length + 1, maxLength: bounds.length + 1 });
    fc.assert(
      fc.property(arbCounts, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (inc, q1, q2) => {
        let total = 0;
        const cumulative = [...bounds, INF].map((le, i) => ({ le, count: (total += inc[i]!) }));
        fc.pre(total > 0);
        const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
        const a = histogramQuantile(lo, cumulative);
        const b = histogramQuantile(hi, cumulative);
        if (Number.isNaN(a) || Number.isNaN(b)) return; // only an empty first bucket at q = 0
        expect(a).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThanOrEqual(10);
        expect(a).toBeLessThanOrEqual(b + 1e-9);
      }),
    );
  });
});

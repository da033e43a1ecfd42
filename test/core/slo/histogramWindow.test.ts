import { describe, expect, it } from "vitest";
import { windowDelta, windowQuantile } from "../../../core/slo/index.js";
import { buckets } from "./sloFixtures.js";

const INF = Number.POSITIVE_INFINITY;
const earlier = buckets([[0.1, 100], [0.5, 180], [1, 195], [INF, 200]]);
const later = buckets([[0.1, 150], [0.5, 250], [1, 290], [INF, 300]]);

describe("windowDelta", () => {
  it("subtracts the previous scrape per bucket", () => {
    expect(windowDelta(earlier, later)).toEqual({ buckets: buckets([[0.1, 50], [0.5, 70], [1, 95], [INF, 100]]), counterReset: false });
  });

  it("takes the new scrape whole after a counter reset (server restart)", () => {
    const restarted = buckets([[0.1, 3], [0.5, 4], [1, 5], [INF, 5]]);
    expect(windowDelta(later, restarted)).toEqual({ buckets: restarted, counterReset: true });
  });

  it("treats one bucket going backwards as a reset of all", () => {
    const oneBack = buckets([[0.1, 99], [0.5, 300], [1, 300], [INF, 300]]);
    expect(windowDelta(earlier, oneBack).counterReset).toBe(true);
  });

  it("takes the new scrape whole when the bucket layout changed (upgrade)", () => {
    const relaid = buckets([[0.3, 1], [INF, 2]]);
    expect(windowDelta(earlier, relaid)).toEqual({ buckets: relaid, counterReset: true });
  });
});

describe("windowQuantile", () => {
  it("p99 of the window: rank 99 of 100 is past c(1) = 95, so it lies in +Inf and gives the highest finite bound", () => {
    expect(windowQuantile(0.99, earlier, later)).toEqual({ kind: "value", seconds: 1, requests: 100, counterReset: false });
  });

  it("p90 of the window interpolates: rank 90 in (0.5, 1] with 70→95 gives 0.5 + 0.5 · 20/25 = 0.9", () => {
    const got = windowQuantile(0.9, earlier, later);
    expect(got.kind).toBe("value");
    if (got.kind === "value") expect(got.seconds).toBeCloseTo(0.9, 12);
  });

  it("has no value on the first scrape, whatever the counts", () => {
    expect(windowQuantile(0.99, undefined, later)).toEqual({ kind: "none", reason: "first-scrape", requests: 0 });
  });

  it("has no value when no request finished in the window (not a healthy 0)", () => {
    expect(windowQuantile(0.99, later, later)).toEqual({ kind: "none", reason: "no-requests", requests: 0 });
  });

  it("has no value under the minimum sample count", () => {
    expect(windowQuantile(0.99, earlier, later, 101)).toEqual({ kind: "none", reason: "too-few-requests", requests: 100 });
  });

  it("has no value without a +Inf bucket", () => {
    const noInf = buckets([[0.1, 1], [0.5, 2]]);
    expect(windowQuantile(0.99, noInf, buckets([[0.1, 5], [0.5, 9]]))).toMatchObject({ kind: "none", reason: "unusable-buckets" });
  });

  it("reports that a reset window was used", () => {
    expect(windowQuantile(0.5, later, buckets([[0.1, 10], [0.5, 10], [1, 10], [INF, 10]]))).toMatchObject({ kind: "value", counterReset: true, requests: 10 });
  });
});

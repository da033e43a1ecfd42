import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SPEND_CONFIG,
  SEED_PID,
  freshPidState,
  freshSpendState,
  parseSpendState,
  pidStep,
  planSpend,
  routesToPool,
  type SpendConfig,
  type SpendSample,
  type SpendState,
} from "../../../core/spend/index.js";

const Y2000 = Date.UTC(2000, 0, 1);
const Y2100 = Date.UTC(2100, 0, 1);

const configArb: fc.Arbitrary<SpendConfig> = fc.record({
  budgetUsd: fc.double({ min: 0, max: 2e6, noNaN: true }),
  safetyMargin: fc.double({ min: 0, max: 0.5, noNaN: true }),
  pid: fc.record({
    kp: fc.double({ min: 0, max: 10, noNaN: true }),
    ki: fc.double({ min: 0, max: 1, noNaN: true }),
    kd: fc.double({ min: 0, max: 5, noNaN: true }),
    outputLimits: fc.constantFrom({ min: -40, max: 40 }, { min: -100, max: 100 }, { min: -5, max: 60 }),
    sampleTimeS: fc.constantFrom(0.01, null, 60),
    timeUnit: fc.constantFrom("s" as const, "h" as const),
  }),
  pidMode: fc.constantFrom("perRun" as const, "persistent" as const),
  trajectory: fc.constantFrom("seedCalendarDay" as const, "calendarDay" as const, "continuous" as const),
  stopHorizonS: fc.constantFrom(0, 600, 3600, 86_400),
  utcOffsetMinutes: fc.integer({ min: -720, max: 840 }),
});

const sampleArb = (nowMs: fc.Arbitrary<number>): fc.Arbitrary<SpendSample> =>
  fc.record({
    nowMs,
    monthToDateUsd: fc.double({ min: 0, max: 2e6, noNaN: true }),
    dailyRateUsd: fc.double({ min: 0, max: 3e5, noNaN: true }),
    baselinePct: fc.double({ min: -50, max: 200, noNaN: true }),
  });

/** A run of samples an hour or so apart, time moving forward. */
const runArb = fc
  .tuple(fc.integer({ min: Y2000, max: Y2100 }), fc.array(fc.integer({ min: 0, max: 6 * 3_600_000 }), { minLength: 1, maxLength: 12 }))
  .chain(([t0, gaps]) => {
    const times = gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? t0) + g], []);
    return fc.tuple(...times.map((t) => sampleArb(fc.constant(t))));
  });

function run(config: SpendConfig, samples: SpendSample[], state: SpendState = freshSpendState()) {
  return samples.map((x) => {
    const r = planSpend(state, x, config);
    state = r.state;
    return r;
  });
}

describe("properties of the control law", () => {
  it("the routing percentage stays in [0, 100] and the PID output and integral inside their limits", () => {
    fc.assert(
      fc.property(configArb, runArb, (config, samples) => {
        for (const { decision, state } of run(config, samples)) {
          expect(decision.routingPct).toBeGreaterThanOrEqual(0);
          expect(decision.routingPct).toBeLessThanOrEqual(100);
          const { min, max } = config.pid.outputLimits;
          expect(decision.adjustmentPct).toBeGreaterThanOrEqual(min);
          expect(decision.adjustmentPct).toBeLessThanOrEqual(max);
          expect(state.pid.integral).toBeGreaterThanOrEqual(min);
          expect(state.pid.integral).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it("never routes a job to the pool once spend, or spend projected over the stop horizon, reaches the target", () => {
    fc.assert(
      fc.property(configArb, runArb, (config, samples) => {
        const target = config.budgetUsd * (1 - config.safetyMargin);
        run(config, samples).forEach(({ decision }, i) => {
          const x = samples[i]!;
          const projected = x.monthToDateUsd + (x.dailyRateUsd * config.stopHorizonS) / 86_400;
          if (projected >= target) {
            expect(decision.routingPct).toBe(0);
            expect(["atTarget", "projectedAtTarget"]).toContain(decision.reason);
          }
        });
      }),
    );
  });

  it("spending more never routes more (same moment, same rate, fresh controller)", () => {
    fc.assert(
      fc.property(configArb, sampleArb(fc.integer({ min: Y2000, max: Y2100 })), fc.double({ min: 0, max: 1e6, noNaN: true }), (config, x, more) => {
        const low = planSpend(freshSpendState(), x, config).decision.routingPct;
        const high = planSpend(freshSpendState(), { ...x, monthToDateUsd: x.monthToDateUsd + more }, config).decision.routingPct;
        expect(high).toBeLessThanOrEqual(low);
      }),
    );
  });

  it("is deterministic, and a JSON round trip of the state at any point changes nothing", () => {
    fc.assert(
      fc.property(configArb, runArb, fc.nat(), (config, samples, cut) => {
        const straight = run(config, samples);
        expect(run(config, samples)).toEqual(straight);
        const k = cut % samples.length;
        const head = run(config, samples.slice(0, k));
        const stored = parseSpendState(JSON.parse(JSON.stringify(head.at(-1)?.state ?? freshSpendState())));
        // JSON has no -0: a stored state comes back with +0 where the live one had -0, so a later
        // derivative can be -0 one way and +0 the other. Equal as numbers; compare as JSON.
        const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
        expect(asJson([...head, ...run(config, samples.slice(k), stored)])).toEqual(asJson(straight));
      }),
    );
  });
});

describe("properties of the PID step", () => {
  it("output and integral stay inside the limits whatever the stored integral", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.integer({ min: 0, max: 86_400_000 })), { maxLength: 20 }),
        (integral, steps) => {
          let s = freshPidState(integral, Y2000);
          let t = Y2000;
          for (const [input, gap] of steps) {
            t += gap;
            const r = pidStep(s, input, t, SEED_PID);
            s = r.state;
            expect(Math.abs(r.output)).toBeLessThanOrEqual(40);
            if (r.stepped) expect(Math.abs(s.integral)).toBeLessThanOrEqual(40);
          }
        },
      ),
    );
  });
});

describe("properties of routing", () => {
  const id = fc.string({ minLength: 1, maxLength: 64 });
  const pct = fc.double({ min: 0, max: 100, noNaN: true });

  it("the same identity gets the same answer, and raising the percentage only adds identities", () => {
    fc.assert(
      fc.property(id, pct, pct, (key, a, b) => {
        expect(routesToPool(key, a)).toBe(routesToPool(key, a));
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        if (routesToPool(key, lo)) expect(routesToPool(key, hi)).toBe(true);
      }),
    );
  });

  it("the routed share of many pods converges to the percentage", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { minLength: 4000, maxLength: 4000 }), fc.integer({ min: 0, max: 100 }), (uids, p) => {
        const share = (uids.filter((u) => routesToPool(u, p)).length / uids.length) * 100;
        // 4,000 draws: three standard deviations of a binomial share are under 2.4 points.
        expect(Math.abs(share - p)).toBeLessThan(2.4);
      }),
      { numRuns: 8 },
    );
  });

  it("routes by the live decision: nothing at the target", () => {
    const { decision } = planSpend(
      freshSpendState(),
      { nowMs: Date.UTC(2025, 5, 20), monthToDateUsd: 490_000, dailyRateUsd: 10_000, baselinePct: 100 },
      DEFAULT_SPEND_CONFIG,
    );
    expect(["a", "b", "c"].some((u) => routesToPool(u, decision.routingPct))).toBe(false);
  });
});

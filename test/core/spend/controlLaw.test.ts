import { describe, expect, it } from "vitest";
import {
  DEFAULT_SPEND_CONFIG,
  SEED_SPEND_CONFIG,
  freshSpendState,
  planSpend,
  type SpendConfig,
  type SpendSample,
} from "../../../core/spend/index.js";

const at = (iso: string): number => Date.parse(iso);
const sample = (iso: string, spend: number, rate = 15_000, baselinePct = 35): SpendSample => ({
  nowMs: at(iso),
  monthToDateUsd: spend,
  dailyRateUsd: rate,
  baselinePct,
});
const fresh = freshSpendState();

describe("§A.9.3 last day of the month", () => {
  it("seed: 10 % (ideal 0, base 50, P saturated at −40) once a fifth of the target is spent, however much is left", () => {
    for (const spend of [98_000, 100_000, 400_000]) {
      expect(planSpend(fresh, sample("2025-06-30T12:00:00Z", spend), SEED_SPEND_CONFIG).decision.routingPct).toBe(10);
    }
  });

  it("calendarDay: the ideal is the full target, so unused credits pull jobs in", () => {
    const cfg: SpendConfig = { ...SEED_SPEND_CONFIG, trajectory: "calendarDay" };
    const { decision } = planSpend(fresh, sample("2025-06-30T00:00:00Z", 400_000), cfg);
    const errorPct = ((490_000 - 400_000) / 490_000) * 100;
    expect(decision.errorPct).toBe(errorPct);
    expect(decision.basePct).toBe(35);
    expect(decision.targetDailyUsd).toBe(90_000);
    expect(decision.routingPct).toBeCloseTo(35 + 2 * errorPct, 9);
  });

  it("continuous (default): behind schedule on the last day routes more than the baseline", () => {
    const { decision } = planSpend(fresh, sample("2025-06-30T12:00:00Z", 400_000), DEFAULT_SPEND_CONFIG);
    expect(decision.reason).toBe("controlled");
    expect(decision.routingPct).toBeGreaterThan(35);
  });
});

describe("§A.9.2 the daily step of the ideal", () => {
  const errorAcrossMidnight = (cfg: SpendConfig): number => {
    const before = planSpend(fresh, sample("2025-06-15T23:59:00Z", 240_000), cfg).decision.errorPct;
    const after = planSpend(fresh, sample("2025-06-16T00:01:00Z", 240_000), cfg).decision.errorPct;
    return after - before;
  };
  it("seed: the error jumps by 1/days-in-month of the target at midnight", () => {
    expect(errorAcrossMidnight(SEED_SPEND_CONFIG)).toBeCloseTo(100 / 30, 9);
  });
  it("continuous: two minutes move the error by two minutes' share", () => {
    expect(errorAcrossMidnight(DEFAULT_SPEND_CONFIG)).toBeCloseTo((100 * 2) / (30 * 24 * 60), 9);
  });
});

describe("§A.9.5 dt in hours for a long-running loop (default)", () => {
  it("adds Ki·e per hour instead of saturating on the first hourly step", () => {
    const first = planSpend(fresh, sample("2025-06-16T00:00:00Z", 200_000), DEFAULT_SPEND_CONFIG);
    const second = planSpend(first.state, sample("2025-06-16T01:00:00Z", 200_000), DEFAULT_SPEND_CONFIG);
    const e = second.decision.errorPct;
    expect(second.state.pid.integral).toBeCloseTo(first.state.pid.integral + 0.15 * e, 12);
    expect(Math.abs(second.state.pid.integral)).toBeLessThan(40);
  });
});

describe("never overspend: stops", () => {
  it("routes nothing at or over the target and leaves the integral alone (seed)", () => {
    const loaded = freshSpendState(12.5);
    const { decision, state } = planSpend(loaded, sample("2025-06-16T00:00:00Z", 490_000), SEED_SPEND_CONFIG);
    expect(decision).toMatchObject({ routingPct: 0, reason: "atTarget", adjustmentPct: 0, components: { p: 0, i: 12.5, d: 0 } });
    expect(state.pid.integral).toBe(12.5);
  });

  it("routes nothing when a decision interval at the current rate would reach the target", () => {
    // 485k spent, 150k/day: the next hour adds 6.25k and crosses 490k.
    const near = planSpend(fresh, sample("2025-06-20T00:00:00Z", 485_000, 150_000), DEFAULT_SPEND_CONFIG);
    expect(near.decision).toMatchObject({ routingPct: 0, reason: "projectedAtTarget" });
    // 100k/day adds 4.17k: still under, so the controller decides.
    const ok = planSpend(fresh, sample("2025-06-20T00:00:00Z", 485_000, 100_000), DEFAULT_SPEND_CONFIG);
    expect(ok.decision.reason).toBe("controlled");
    // The seed has no horizon.
    expect(planSpend(fresh, sample("2025-06-20T00:00:00Z", 485_000, 150_000), SEED_SPEND_CONFIG).decision.reason).toBe("controlled");
  });

  it("a persistent PID does not integrate the time it was stopped", () => {
    const running = planSpend(fresh, sample("2025-06-20T00:00:00Z", 300_000, 10_000), DEFAULT_SPEND_CONFIG);
    const stopped = planSpend(running.state, sample("2025-06-20T01:00:00Z", 489_900, 500_000), DEFAULT_SPEND_CONFIG);
    expect(stopped.decision.reason).toBe("projectedAtTarget");
    expect(stopped.state.pid).toMatchObject({ integral: running.state.pid.integral, lastInput: null, lastStepMs: at("2025-06-20T01:00:00Z") });
    const resumed = planSpend(stopped.state, sample("2025-06-20T03:00:00Z", 489_900, 0), DEFAULT_SPEND_CONFIG);
    // Two hours later only those two hours count (not three), and no derivative across the stop.
    expect(resumed.state.pid.integral).toBeCloseTo(stopped.state.pid.integral + 0.15 * resumed.decision.errorPct * 2, 9);
    expect(resumed.decision.components.d).toBe(-0);
  });

  it("a zero budget routes nothing", () => {
    const cfg: SpendConfig = { ...DEFAULT_SPEND_CONFIG, budgetUsd: 0 };
    expect(planSpend(fresh, sample("2025-06-20T00:00:00Z", 0, 0), cfg).decision).toMatchObject({ routingPct: 0, reason: "atTarget" });
  });
});

describe("base and clamps", () => {
  it("uses 50 when nothing is being spent, the clamped baseline otherwise", () => {
    expect(planSpend(fresh, sample("2025-06-16T00:00:00Z", 200_000, 0), DEFAULT_SPEND_CONFIG).decision.basePct).toBe(50);
    expect(planSpend(fresh, sample("2025-06-16T00:00:00Z", 200_000, 1, -20), DEFAULT_SPEND_CONFIG).decision.basePct).toBe(0);
    expect(planSpend(fresh, sample("2025-06-16T00:00:00Z", 200_000, 1, 150), DEFAULT_SPEND_CONFIG).decision.basePct).toBe(100);
  });
});

describe("persistent PID across a month boundary", () => {
  it("keeps the integral but takes no derivative across the jump of the trajectory", () => {
    const june = planSpend(fresh, sample("2025-06-30T23:00:00Z", 480_000, 15_000), DEFAULT_SPEND_CONFIG);
    const july = planSpend(june.state, sample("2025-07-01T00:00:00Z", 0, 15_000), DEFAULT_SPEND_CONFIG);
    expect(july.state.month).toBe("2025-07");
    expect(july.decision.components.d).toBe(-0);
    expect(july.state.pid.integral).toBeCloseTo(june.state.pid.integral + 0.15 * july.decision.errorPct, 12);
  });
});

describe("perRun mode (the seed's cron)", () => {
  it("integrates only the time between the cycle's start and the decision", () => {
    const s = { ...sample("2025-06-16T00:00:02Z", 200_000), cycleStartMs: at("2025-06-16T00:00:00Z") };
    const { state, decision } = planSpend(freshSpendState(24.271872597683597), s, SEED_SPEND_CONFIG);
    expect(state.pid.integral).toBeCloseTo(24.271872597683597 + 0.15 * decision.errorPct * 2, 12);
    expect(decision.components.d).toBe(-0);
  });
});

describe("validation names the field", () => {
  const ok = sample("2025-06-16T00:00:00Z", 1000);
  const cases: Array<{ name: string; call: () => unknown; field: string }> = [
    { name: "negative budget", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, budgetUsd: -1 }), field: "config.budgetUsd" },
    { name: "margin of 1", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, safetyMargin: 1 }), field: "config.safetyMargin" },
    { name: "NaN margin", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, safetyMargin: Number.NaN }), field: "config.safetyMargin" },
    { name: "negative horizon", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, stopHorizonS: -5 }), field: "config.stopHorizonS" },
    { name: "unknown mode", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, pidMode: "x" as "perRun" }), field: "config.pidMode" },
    { name: "unknown trajectory", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, trajectory: "x" as "continuous" }), field: "config.trajectory" },
    { name: "bad Ki", call: () => planSpend(fresh, ok, { ...DEFAULT_SPEND_CONFIG, pid: { ...DEFAULT_SPEND_CONFIG.pid, ki: Number.NaN } }), field: "config.pid.ki" },
    { name: "NaN spend", call: () => planSpend(fresh, { ...ok, monthToDateUsd: Number.NaN }, DEFAULT_SPEND_CONFIG), field: "sample.monthToDateUsd" },
    { name: "negative spend", call: () => planSpend(fresh, { ...ok, monthToDateUsd: -1 }, DEFAULT_SPEND_CONFIG), field: "sample.monthToDateUsd" },
    { name: "negative rate", call: () => planSpend(fresh, { ...ok, dailyRateUsd: -1 }, DEFAULT_SPEND_CONFIG), field: "sample.dailyRateUsd" },
    { name: "infinite baseline", call: () => planSpend(fresh, { ...ok, baselinePct: Infinity }, DEFAULT_SPEND_CONFIG), field: "sample.baselinePct" },
    { name: "cycle start after now", call: () => planSpend(fresh, { ...ok, cycleStartMs: ok.nowMs + 1 }, SEED_SPEND_CONFIG), field: "sample.cycleStartMs" },
    { name: "bad state version", call: () => planSpend({ ...fresh, version: 2 as 1 }, ok, DEFAULT_SPEND_CONFIG), field: "state.version" },
    {
      name: "time going backwards",
      call: () => planSpend({ ...fresh, pid: { ...fresh.pid, lastStepMs: ok.nowMs + 1 } }, ok, DEFAULT_SPEND_CONFIG),
      field: "sample.nowMs",
    },
  ];
  it.each(cases)("$name → $field", ({ call, field }) => {
    expect(call).toThrow(expect.objectContaining({ name: "SpendInputError", field }));
  });
});

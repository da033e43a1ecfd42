import { describe, expect, it } from "vitest";
import { planSpendFromFlags, runSpendPlan, spendPlanOptions, type SpendPlanReport } from "../../cmd/spend.js";
import { isStewardError, type StewardError } from "../../platform/errors.js";
import { pidVectors } from "../core/spend/seedVectors.js";
import { captured } from "../builders/capturedOutput.js";


const JUNE_16 = { date: "2025-06-16", spend: "200000", rate: "15000", baseline: "35" };

function plan(flags: Record<string, string | boolean | undefined>): SpendPlanReport {
  const out = captured();
  expect(runSpendPlan(flags, out)).toBe(0);
  return JSON.parse(out.text()) as SpendPlanReport;
}

function usageError(flags: Record<string, string | boolean | undefined>): StewardError {
  try {
    planSpendFromFlags(flags);
  } catch (err) {
    if (isStewardError(err, "USAGE")) return err;
    throw err;
  }
  throw new Error("expected a USAGE error");
}

/**
 * §A.10 rows a fresh controller answers the seed's way with a calendar-day trajectory: no stored
 * integral, no elapsed time, and not the last day of the month (fixed, below) or December (raised).
 */
const freshRows = pidVectors.filter(
  (v) => v.integral_in === null && v.dt_s === 0 && typeof v.result === "number" && v.date !== "2025-06-30",
);

describe("steward spend plan", () => {
  it("prints one JSON document with the routing, its P/I/D parts, the inputs and the trajectory", () => {
    const out = captured();

    runSpendPlan(JUNE_16, out);

    const text = out.text();
    expect(text.endsWith("}\n")).toBe(true);
    const report = JSON.parse(text) as SpendPlanReport;
    expect(report).toEqual({
      routingPct: 60.03401360544218,
      reason: "controlled",
      basePct: 35,
      adjustmentPct: expect.closeTo(25.03401360544218, 12),
      pid: { p: 25.03401360544218, i: expect.closeTo(0, 12), d: 0 },
      inputs: { date: "2025-06-16", spendUsd: 200_000, rateUsdPerDay: 15_000, baselinePct: 35, budgetUsd: 500_000, safetyMargin: 0.02 },
      trajectory: {
        kind: "calendarDay",
        month: "2025-06",
        dayOfMonth: 16,
        daysInMonth: 30,
        targetUsd: 490_000,
        idealUsd: (16 / 30) * 490_000,
        errorPct: expect.closeTo(12.517006802721088, 12),
        // Today is still available to spend in: 15 days left including the 16th.
        targetDailyUsd: (490_000 - 200_000) / 15,
      },
      controller: { kp: 2, ki: 0.15, kd: 0.5, outputLimits: { min: -40, max: 40 }, timeUnit: "h", stopHorizonS: 3600 },
    });
  });

  it("has fresh seed rows to check", () => {
    expect(freshRows.map((v) => v.label)).toEqual([
      "behind schedule, fresh",
      "ahead of schedule, fresh",
      "on trajectory",
      "zero rate -> base 50",
      "day 1, no spend",
      "at target -> 0",
      "far behind -> clamp +40",
      "Feb 28 days",
      "Feb 2024 leap",
      "rollout >100 clamps",
    ]);
  });

  it.each(freshRows)("$label ($date): the seed's $result %", (v) => {
    const report = plan({ date: v.date, spend: String(v.spend), rate: String(v.rate), baseline: String(v.rollout) });

    expect(report.routingPct).toBe(v.result);
    expect(report.pid.p).toBe(v.components![0]);
  });

  it("answers December with a 31-day month where the seed raised", () => {
    const report = plan({ date: "2025-12-10", spend: "50000", rate: "10000", baseline: "15" });

    expect(report.trajectory.daysInMonth).toBe(31);
    expect(report.routingPct).toBe(55);
  });

  it("keeps steering on the last day instead of the seed's fixed 10 %", () => {
    const report = plan({ date: "2025-06-30", spend: "400000", rate: "15000", baseline: "35" });

    expect(report.trajectory.idealUsd).toBe(report.trajectory.targetUsd);
    expect(report.basePct).toBe(35);
    expect(report.routingPct).toBeCloseTo(35 + 2 * ((90_000 / 490_000) * 100), 10);
  });

  it("uses the budget and margin flags", () => {
    const report = plan({ ...JUNE_16, spend: "20000", rate: "1500", budget: "50000", margin: "0" });

    expect(report.trajectory.targetUsd).toBe(50_000);
    expect(report.inputs).toMatchObject({ budgetUsd: 50_000, safetyMargin: 0 });
    expect(report.trajectory.idealUsd).toBeCloseTo((16 / 30) * 50_000, 9);
  });

  it("stops routing when the next hour at the current rate would reach the target", () => {
    const report = plan({ ...JUNE_16, spend: "489500", rate: "24000" });

    expect(report).toMatchObject({ routingPct: 0, reason: "projectedAtTarget", adjustmentPct: 0 });
  });
});

describe("steward spend plan: bad flags", () => {
  it.each([
    { name: "no --date", flags: { ...JUNE_16, date: undefined }, flag: "date", message: /--date is required/ },
    { name: "no --rate", flags: { ...JUNE_16, rate: undefined }, flag: "rate", message: /--rate is required/ },
    { name: "a word for --spend", flags: { ...JUNE_16, spend: "lots" }, flag: "spend", message: /--spend: expected a number .*"lots"/ },
    { name: "hex for --baseline", flags: { ...JUNE_16, baseline: "0x23" }, flag: "baseline", message: /--baseline: .*"0x23"/ },
    { name: "an empty --budget", flags: { ...JUNE_16, budget: "" }, flag: "budget", message: /--budget: .*""/ },
    { name: "an overflowing --rate", flags: { ...JUNE_16, rate: "1e999" }, flag: "rate", message: /--rate: .*"1e999"/ },
    { name: "--margin without a value", flags: { ...JUNE_16, margin: true }, flag: "margin", message: /--margin needs a value/ },
    { name: "a date in the wrong form", flags: { ...JUNE_16, date: "16/06/2025" }, flag: "date", message: /--date "16\/06\/2025": date: expected YYYY-MM-DD/ },
    { name: "a date the calendar lacks", flags: { ...JUNE_16, date: "2025-02-30" }, flag: "date", message: /--date "2025-02-30": .*no such calendar date/ },
    { name: "a negative spend", flags: { ...JUNE_16, spend: "-5" }, flag: "spend", message: /--spend "-5": sample\.monthToDateUsd: expected a number ≥ 0, got -5/ },
    { name: "a negative rate", flags: { ...JUNE_16, rate: "-1" }, flag: "rate", message: /--rate "-1": .*≥ 0/ },
    { name: "a margin of 1", flags: { ...JUNE_16, margin: "1" }, flag: "margin", message: /--margin "1": config\.safetyMargin: expected a fraction in \[0, 1\), got 1/ },
    { name: "a negative budget", flags: { ...JUNE_16, budget: "-10" }, flag: "budget", message: /--budget "-10": config\.budgetUsd/ },
  ])("$name → USAGE naming --$flag", ({ flags, flag, message }) => {
    const err = usageError(flags);

    expect(err.field).toBe(flag);
    expect(err.message).toMatch(message);
  });

  it("prints nothing when a flag is bad", () => {
    const out = captured();

    expect(() => runSpendPlan({ ...JUNE_16, spend: "x" }, out)).toThrow(/--spend/);
    expect(out.text()).toBe("");
  });

  it("declares every flag it reads, the required ones without a default", () => {
    expect(spendPlanOptions.map((o) => o.flag)).toEqual(["date", "spend", "rate", "baseline", "budget", "margin"]);
    expect(spendPlanOptions.filter((o) => o.defaultText !== undefined).map((o) => [o.flag, o.defaultText])).toEqual([
      ["budget", "500000"],
      ["margin", "0.02"],
    ]);
  });
});

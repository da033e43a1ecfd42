/**
 * `steward spend plan`: one decision of the spend controller for figures given on the command line,
 * as a fresh controller would take it (no stored state, no cluster). For people checking what the
 * loop would do, and for scripts. Prints ONE JSON document on stdout.
 *
 * The day is a calendar date without a time, so the trajectory is `calendarDay` (today counts as
 * elapsed; the last day's ideal is the whole target); everything else is DEFAULT_SPEND_CONFIG.
 */
import {
  DEFAULT_SPEND_CONFIG,
  SpendInputError,
  dateToEpochMs,
  freshSpendState,
  planSpend,
  type SpendConfig,
  type SpendReason,
} from "../core/spend/index.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";

export const spendPlanOptions: readonly OptionSpec[] = [
  { flag: "date", path: "date", kind: "string", help: "day of the decision, YYYY-MM-DD (UTC billing calendar)" },
  { flag: "spend", path: "spendUsd", kind: "number", help: "credits spent so far this month, USD" },
  { flag: "rate", path: "rateUsdPerDay", kind: "number", help: "recent average spend, USD per day" },
  { flag: "baseline", path: "baselinePct", kind: "number", help: "baseline share of GPU jobs routed to the pool, percent (clamped to 0..100)" },
  { flag: "budget", path: "budgetUsd", kind: "number", help: "credits granted for the month, USD", defaultText: String(DEFAULT_SPEND_CONFIG.budgetUsd) },
  { flag: "margin", path: "safetyMargin", kind: "number", help: "share of the budget held back, fraction in [0, 1)", defaultText: String(DEFAULT_SPEND_CONFIG.safetyMargin) },
];

export type SpendPlanFlags = Readonly<Record<string, string | boolean | undefined>>;

export interface SpendPlanReport {
  /** Share of GPU jobs to route to the credit pool, percent in [0, 100]. */
  routingPct: number;
  reason: SpendReason;
  /** The baseline actually used (clamped, or 50 when the rate or the remaining daily budget is 0). */
  basePct: number;
  /** The PID's output: routingPct = clamp(basePct + adjustmentPct, 0, 100). */
  adjustmentPct: number;
  pid: { p: number; i: number; d: number };
  inputs: { date: string; spendUsd: number; rateUsdPerDay: number; baselinePct: number; budgetUsd: number; safetyMargin: number };
  trajectory: {
    kind: SpendConfig["trajectory"];
    month: string;
    dayOfMonth: number;
    daysInMonth: number;
    targetUsd: number;
    idealUsd: number;
    /** (ideal − spend) ÷ target × 100; > 0: behind schedule. */
    errorPct: number;
    targetDailyUsd: number;
  };
  controller: { kp: number; ki: number; kd: number; outputLimits: { min: number; max: number }; timeUnit: "s" | "h"; stopHorizonS: number };
}

/** Which flag carries each input core/spend may reject. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  date: "date",
  "sample.monthToDateUsd": "spend",
  "sample.dailyRateUsd": "rate",
  "sample.baselinePct": "baseline",
  "config.budgetUsd": "budget",
  "config.safetyMargin": "margin",
};

/** Plain decimal or exponent notation; Number() alone would also take "0x10", "" and "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function requiredString(flags: SpendPlanFlags, flag: string, what: string): string {
  const raw = flags[flag];
  if (raw === undefined) throw new StewardError("USAGE", `--${flag} is required (${what})`, flag);
  if (typeof raw !== "string") throw new StewardError("USAGE", `--${flag} needs a value (${what})`, flag);
  return raw;
}

function numberFlag(flags: SpendPlanFlags, flag: string, what: string, fallback?: number): number {
  if (flags[flag] === undefined && fallback !== undefined) return fallback;
  const raw = requiredString(flags, flag, what);
  const value = Number(raw.trim());
  if (!DECIMAL.test(raw.trim()) || !Number.isFinite(value)) {
    throw new StewardError("USAGE", `--${flag}: expected a number (${what}), got ${JSON.stringify(raw)}`, flag);
  }
  return value;
}

/** The decision for the flags; throws StewardError("USAGE") naming the flag for any bad one. */
export function planSpendFromFlags(flags: SpendPlanFlags): SpendPlanReport {
  const date = requiredString(flags, "date", "YYYY-MM-DD");
  const inputs = {
    date,
    spendUsd: numberFlag(flags, "spend", "USD spent this month"),
    rateUsdPerDay: numberFlag(flags, "rate", "USD per day"),
    baselinePct: numberFlag(flags, "baseline", "percent"),
    budgetUsd: numberFlag(flags, "budget", "USD", DEFAULT_SPEND_CONFIG.budgetUsd),
    safetyMargin: numberFlag(flags, "margin", "fraction", DEFAULT_SPEND_CONFIG.safetyMargin),
  };
  const config: SpendConfig = { ...DEFAULT_SPEND_CONFIG, trajectory: "calendarDay", budgetUsd: inputs.budgetUsd, safetyMargin: inputs.safetyMargin };
  try {
    const nowMs = dateToEpochMs("date", date, config.utcOffsetMinutes);
    const sample = { nowMs, monthToDateUsd: inputs.spendUsd, dailyRateUsd: inputs.rateUsdPerDay, baselinePct: inputs.baselinePct };
    const { decision: d } = planSpend(freshSpendState(), sample, config);
    const { kp, ki, kd, outputLimits, timeUnit } = config.pid;
    return {
      routingPct: d.routingPct,
      reason: d.reason,
      basePct: d.basePct,
      adjustmentPct: d.adjustmentPct,
      pid: { ...d.components },
      inputs,
      trajectory: {
        kind: config.trajectory,
        month: d.month,
        dayOfMonth: d.dayOfMonth,
        daysInMonth: d.daysInMonth,
        targetUsd: d.targetUsd,
        idealUsd: d.idealUsd,
        errorPct: d.errorPct,
        targetDailyUsd: d.targetDailyUsd,
      },
      controller: { kp, ki, kd, outputLimits: { ...outputLimits }, timeUnit, stopHorizonS: config.stopHorizonS },
    };
  } catch (err) {
    if (!(err instanceof SpendInputError)) throw err;
    const flag = FLAG_OF_FIELD[err.field];
    if (flag === undefined) throw new StewardError("USAGE", err.message, err.field);
    throw new StewardError("USAGE", `--${flag} ${JSON.stringify(String(flags[flag] ?? ""))}: ${err.message}`, flag);
  }
}

/** `steward spend plan`: prints the report as one JSON document; returns the exit code (0). */
export function runSpendPlan(flags: SpendPlanFlags, out: NodeJS.WritableStream): number {
  const report = planSpendFromFlags(flags);
  out.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

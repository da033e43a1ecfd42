/**
 * Settings. The numbers are the seed's (§A.2); SEED_SPEND_CONFIG reproduces its behaviour (less the
 * December crash), DEFAULT_SPEND_CONFIG is what gpu-steward runs: the same gains and limits with the
 * §A.9 fixes that keep a long-running loop from overspending.
 */
import type { PidConfig, SpendConfig } from "./types.js";

/** The seed's monthly credits, USD; a placeholder to be configured per cluster. */
export const SEED_BUDGET_USD = 500_000;
/** 2 % held back: at $500k that is $10k, several hours of a busy pool's spend between decisions. */
export const SEED_SAFETY_MARGIN = 0.02;
/** The seed's default baseline when the caller passes none (production passed the value). */
export const SEED_BASELINE_PCT = 35;
/** The base used when the spend rate or the remaining daily budget is 0: neither push nor hold back. */
export const NEUTRAL_BASE_PCT = 50;

export const SEED_PID: PidConfig = Object.freeze({
  kp: 2.0,
  ki: 0.15,
  kd: 0.5,
  // The PID adjusts the baseline by at most ±40 points; the 0..100 range applies to base + adjustment.
  outputLimits: Object.freeze({ min: -40, max: 40 }),
  // simple-pid's default.
  sampleTimeS: 0.01,
  timeUnit: "s",
});

export const SEED_SPEND_CONFIG: SpendConfig = Object.freeze({
  budgetUsd: SEED_BUDGET_USD,
  safetyMargin: SEED_SAFETY_MARGIN,
  pid: SEED_PID,
  pidMode: "perRun",
  trajectory: "seedCalendarDay",
  stopHorizonS: 0,
  utcOffsetMinutes: 0,
});

export const DEFAULT_SPEND_CONFIG: SpendConfig = Object.freeze({
  ...SEED_SPEND_CONFIG,
  // Ki = 0.15 per hour: the seed's intent. In seconds it saturates the integral on the first hourly step.
  pid: Object.freeze({ ...SEED_PID, timeUnit: "h" as const }),
  pidMode: "persistent",
  trajectory: "continuous",
  // One hour, the seed's cron cadence: stop before a decision interval at the current rate could cross the target.
  stopHorizonS: 3600,
});

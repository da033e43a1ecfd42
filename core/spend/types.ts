/**
 * Vocabulary of the spend controller: what it is configured with, what it is fed each cycle, what
 * it remembers between cycles and what it answers. Plain data throughout, so state survives a
 * restart as JSON and a decision can be printed by `steward spend plan`.
 */

/** simple-pid 1.0.0 tuning: proportional on error, derivative on measurement. */
export interface PidConfig {
  kp: number;
  ki: number;
  kd: number;
  /** The controller's output (the adjustment in percentage points) and its integral stay inside. */
  outputLimits: { min: number; max: number };
  /** A step sooner than this after the last real step returns the cached output; null disables it. */
  sampleTimeS: number | null;
  /**
   * The time unit of `ki` and `kd`. `"s"` is simple-pid's (and the seed's); `"h"` makes Ki = 0.15
   * mean 0.15 points per hour per point of error, which is what a long-running loop wants (§A.4).
   */
  timeUnit: "s" | "h";
}

/** Everything a PID remembers between steps. */
export interface PidState {
  integral: number;
  /** The input of the last real step; null until one happened (the derivative starts at 0). */
  lastInput: number | null;
  /** The output of the last real step; null until one happened (no caching before it). */
  lastOutput: number | null;
  /** When the last real step happened (or when the controller was made), epoch ms; null = "now". */
  lastStepMs: number | null;
  /** P, I and D of the last real step. */
  components: PidComponents;
}

export interface PidComponents {
  p: number;
  i: number;
  d: number;
}

/**
 * How the ideal month-to-date spend is drawn (§A.3, §A.9.2–3):
 * - `seedCalendarDay`: day-of-month ÷ days-in-month × target, 0 on the last day (the seed, bugs kept
 *   except December).
 * - `calendarDay`: the same line, but the last day's ideal is the full target.
 * - `continuous`: the elapsed fraction of the month at this instant × target.
 */
export type TrajectoryKind = "seedCalendarDay" | "calendarDay" | "continuous";

/**
 * `perRun`: the seed's cron shape, a fresh PID each cycle carrying only its integral (D is always 0;
 * I grows by Ki·e·(now − cycleStart)). `persistent`: one PID whose whole state the caller keeps.
 */
export type PidMode = "perRun" | "persistent";

export interface SpendConfig {
  /** Credits granted for the month, USD. */
  budgetUsd: number;
  /** Share of the budget held back: target = budget × (1 − margin). */
  safetyMargin: number;
  pid: PidConfig;
  pidMode: PidMode;
  trajectory: TrajectoryKind;
  /**
   * Stop routing when month-to-date + daily rate × this horizon reaches the target, i.e. when the
   * next decision would come too late. 0 = the seed's hard stop at the target only.
   */
  stopHorizonS: number;
  /** Offset of the billing calendar from UTC, whole minutes. */
  utcOffsetMinutes: number;
}

/** What one cycle is fed. */
export interface SpendSample {
  /** The moment of the decision, epoch ms. */
  nowMs: number;
  /** Credits spent so far this billing month, USD (≥ 0). */
  monthToDateUsd: number;
  /** Average spend per day over the recent lookback, USD/day (≥ 0). */
  dailyRateUsd: number;
  /** The baseline share routed to the pool, percent (clamped to 0..100). */
  baselinePct: number;
  /** perRun mode: when this cycle's PID was made (dt = now − this); defaults to nowMs (dt → 1e-16 s). */
  cycleStartMs?: number;
}

export interface SpendState {
  /** Format version of this object, for stored copies. */
  version: 1;
  pid: PidState;
  /** Billing month (`YYYY-MM`) of the last decision; null before the first. */
  month: string | null;
}

export type SpendReason =
  /** Month-to-date spend is at or over the target: the pool gets no new pods (§A.3). */
  | "atTarget"
  /** The daily rate would reach the target within `stopHorizonS`. */
  | "projectedAtTarget"
  /** base + PID adjustment. */
  | "controlled";

export interface SpendDecision {
  /** Share of GPU jobs to route to the credit pool, percent in [0, 100]. */
  routingPct: number;
  reason: SpendReason;
  month: string;
  dayOfMonth: number;
  daysInMonth: number;
  targetUsd: number;
  /** Where month-to-date spend should be by now. */
  idealUsd: number;
  /** (ideal − spend) ÷ target × 100; > 0 means behind schedule (credits left unused). */
  errorPct: number;
  /** Remaining target spread over the remaining days (reported; it also gates the base). */
  targetDailyUsd: number;
  /** The baseline actually used: clamped baselinePct, or 50 when the rate or target daily is 0. */
  basePct: number;
  /** The PID's output; 0 on the stop paths. */
  adjustmentPct: number;
  components: PidComponents;
}

export interface SpendStep {
  decision: SpendDecision;
  state: SpendState;
}

/**
 * The control law (§A.3): month-to-date spend against the trajectory → share of GPU jobs routed to
 * the credit pool.
 *
 *   target   = budget × (1 − margin)
 *   spend ≥ target (or spend + rate·horizon ≥ target) → 0 %, the PID is held
 *   errorPct = (ideal − spend) ÷ target × 100        > 0: behind, credits would go unused
 *   base     = clamp(baseline, 0, 100) if rate > 0 and target daily > 0, else 50
 *   routing  = clamp(base + PID(−errorPct), 0, 100)  PID setpoint 0, so its error is +errorPct
 */
import { requireUtcOffset } from "./calendar.js";
import { SpendInputError, requireEpochMs, requireFinite, requireNonNegative } from "./errors.js";
import { NEUTRAL_BASE_PCT } from "./defaults.js";
import { clamp, freshPidState, pidStep, validatePidConfig } from "./pid.js";
import { validateSpendState } from "./state.js";
import { idealSpend } from "./trajectory.js";
import type { PidState, SpendConfig, SpendDecision, SpendReason, SpendSample, SpendState, SpendStep } from "./types.js";

const DAY_S = 86_400;

export function validateSpendConfig(c: SpendConfig, path = "config"): void {
  requireNonNegative(`${path}.budgetUsd`, c.budgetUsd);
  requireFinite(`${path}.safetyMargin`, c.safetyMargin);
  if (c.safetyMargin < 0 || c.safetyMargin >= 1) {
    throw new SpendInputError(`${path}.safetyMargin`, `expected a fraction in [0, 1), got ${c.safetyMargin}`);
  }
  validatePidConfig(c.pid, `${path}.pid`);
  if (c.pidMode !== "perRun" && c.pidMode !== "persistent") {
    throw new SpendInputError(`${path}.pidMode`, `expected "perRun" or "persistent", got ${JSON.stringify(c.pidMode)}`);
  }
  if (!["seedCalendarDay", "calendarDay", "continuous"].includes(c.trajectory)) {
    throw new SpendInputError(`${path}.trajectory`, `expected seedCalendarDay, calendarDay or continuous, got ${JSON.stringify(c.trajectory)}`);
  }
  requireNonNegative(`${path}.stopHorizonS`, c.stopHorizonS);
  requireUtcOffset(`${path}.utcOffsetMinutes`, c.utcOffsetMinutes);
}

export function validateSpendSample(s: SpendSample, path = "sample"): void {
  requireEpochMs(`${path}.nowMs`, s.nowMs);
  requireNonNegative(`${path}.monthToDateUsd`, s.monthToDateUsd);
  requireNonNegative(`${path}.dailyRateUsd`, s.dailyRateUsd);
  requireFinite(`${path}.baselinePct`, s.baselinePct);
  if (s.cycleStartMs !== undefined) {
    requireEpochMs(`${path}.cycleStartMs`, s.cycleStartMs);
    if (s.cycleStartMs > s.nowMs) throw new SpendInputError(`${path}.cycleStartMs`, "must not be after nowMs");
  }
}

/** One decision. Pure: the caller persists `state` and feeds it to the next call. */
export function planSpend(state: SpendState, sample: SpendSample, config: SpendConfig): SpendStep {
  validateSpendConfig(config);
  validateSpendState(state);
  validateSpendSample(sample);
  const { nowMs, monthToDateUsd: spend, dailyRateUsd: rate } = sample;

  const targetUsd = config.budgetUsd * (1 - config.safetyMargin);
  const point = idealSpend(config.trajectory, targetUsd, nowMs, config.utcOffsetMinutes);
  const { month, idealUsd, daysRemaining } = point;
  const targetDailyUsd = daysRemaining <= 0 ? 0 : (targetUsd - spend) / daysRemaining;
  const basePct = rate > 0 && targetDailyUsd > 0 ? clamp(sample.baselinePct, 0, 100) : NEUTRAL_BASE_PCT;
  // A zero target leaves nothing to compare against; the stop below answers before this is used.
  const errorPct = targetUsd > 0 ? ((idealUsd - spend) / targetUsd) * 100 : 0;
  const frame = {
    month: month.key,
    dayOfMonth: month.dayOfMonth,
    daysInMonth: month.daysInMonth,
    targetUsd,
    idealUsd,
    errorPct,
    targetDailyUsd,
    basePct,
  };

  let pid = state.pid;
  if (config.pidMode === "persistent" && pid.lastStepMs !== null && nowMs < pid.lastStepMs) {
    throw new SpendInputError("sample.nowMs", `time went backwards: ${nowMs} is before the last step at ${pid.lastStepMs}`);
  }
  if (config.pidMode === "persistent" && state.month !== null && state.month !== month.key) {
    // A new month restarts the trajectory: the input jumps, so no derivative across it and no cached output.
    pid = { ...pid, lastInput: null, lastOutput: null };
  }

  const stop = stopReason(spend, rate, targetUsd, config.stopHorizonS);
  if (stop !== null) {
    const held = holdPid(pid, nowMs, config.pidMode);
    const decision: SpendDecision = { ...frame, routingPct: 0, reason: stop, adjustmentPct: 0, components: held.components };
    return { decision, state: { version: 1, pid: held, month: month.key } };
  }

  const before = config.pidMode === "perRun" ? freshPidState(pid.integral, sample.cycleStartMs ?? nowMs) : pid;
  const step = pidStep(before, -errorPct, nowMs, config.pid);
  const decision: SpendDecision = {
    ...frame,
    routingPct: clamp(basePct + step.output, 0, 100),
    reason: "controlled",
    adjustmentPct: step.output,
    components: step.state.components,
  };
  return { decision, state: { version: 1, pid: step.state, month: month.key } };
}

function stopReason(spendUsd: number, dailyRateUsd: number, targetUsd: number, horizonS: number): SpendReason | null {
  if (spendUsd >= targetUsd) return "atTarget";
  if (spendUsd + (dailyRateUsd * horizonS) / DAY_S >= targetUsd) return "projectedAtTarget";
  return null;
}

/**
 * The stop paths do not step the PID (the seed returns before calling it). A persistent PID also
 * restarts its clock here, so the time spent stopped is not integrated on the next step
 * (conditional integration, the usual companion of anti-windup).
 */
function holdPid(pid: PidState, nowMs: number, mode: SpendConfig["pidMode"]): PidState {
  const components = { p: 0, i: pid.integral, d: 0 };
  if (mode === "perRun") return { ...pid, components };
  return { integral: pid.integral, lastInput: null, lastOutput: null, lastStepMs: nowMs, components };
}

/**
 * A PID step with simple-pid 1.0.0's semantics, the clock handed in:
 *
 *   e = setpoint − input                      (setpoint is 0 here, so e = −input)
 *   P = Kp·e                                  proportional on error
 *   I = clamp(I + Ki·e·dt, limits)            anti-windup: the integral lives inside the output limits
 *   D = −Kd·(input − lastInput)/dt            derivative on measurement: a setpoint change gives no kick
 *   out = clamp(P + I + D, limits)
 *
 * dt = now − lastStep; an elapsed time of exactly 0 counts as 1e-16 s (simple-pid's guard against a
 * division by zero), a negative one is an error. A step sooner than sampleTime after the last real
 * step returns the cached output and changes nothing, even when the input moved (§A.4).
 */
import { SpendInputError, requireEpochMs, requireFinite, requireNonNegative } from "./errors.js";
import type { PidComponents, PidConfig, PidState } from "./types.js";

/** simple-pid's stand-in for a zero dt, in seconds. */
export const ZERO_DT_S = 1e-16;

export interface PidStepResult {
  output: number;
  state: PidState;
  /** False when sample-time caching answered and the state did not change. */
  stepped: boolean;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A controller as simple-pid builds one: zero terms, optionally a stored integral, made at `madeMs`. */
export function freshPidState(integral = 0, madeMs: number | null = null): PidState {
  requireFinite("integral", integral);
  if (madeMs !== null) requireEpochMs("madeMs", madeMs);
  // simple-pid's components read back the assigned integral before any step.
  return { integral, lastInput: null, lastOutput: null, lastStepMs: madeMs, components: { p: 0, i: integral, d: 0 } };
}

export function validatePidConfig(c: PidConfig, path = "pid"): void {
  requireNonNegative(`${path}.kp`, c.kp);
  requireNonNegative(`${path}.ki`, c.ki);
  requireNonNegative(`${path}.kd`, c.kd);
  const { min, max } = c.outputLimits;
  if (Number.isNaN(min) || Number.isNaN(max) || !(min < max)) {
    throw new SpendInputError(`${path}.outputLimits`, `expected min < max, got [${min}, ${max}]`);
  }
  if (c.sampleTimeS !== null) requireNonNegative(`${path}.sampleTimeS`, c.sampleTimeS);
  if (c.timeUnit !== "s" && c.timeUnit !== "h") {
    throw new SpendInputError(`${path}.timeUnit`, `expected "s" or "h", got ${JSON.stringify(c.timeUnit)}`);
  }
}

export function validatePidState(s: PidState, path = "state.pid"): void {
  requireFinite(`${path}.integral`, s.integral);
  if (s.lastInput !== null) requireFinite(`${path}.lastInput`, s.lastInput);
  if (s.lastOutput !== null) requireFinite(`${path}.lastOutput`, s.lastOutput);
  if (s.lastStepMs !== null) requireEpochMs(`${path}.lastStepMs`, s.lastStepMs);
  requireFinite(`${path}.components.p`, s.components.p);
  requireFinite(`${path}.components.i`, s.components.i);
  requireFinite(`${path}.components.d`, s.components.d);
}

const SECONDS_PER_UNIT = { s: 1, h: 3600 } as const;

/** One call of the controller with measurement `input` at `nowMs`. Pure: returns the next state. */
export function pidStep(state: PidState, input: number, nowMs: number, config: PidConfig): PidStepResult {
  validatePidConfig(config);
  validatePidState(state);
  requireFinite("input", input);
  requireEpochMs("nowMs", nowMs);

  const lastMs = state.lastStepMs ?? nowMs;
  const elapsedS = (nowMs - lastMs) / 1000;
  if (elapsedS < 0) {
    throw new SpendInputError("nowMs", `time went backwards: ${nowMs} is before the last step at ${lastMs}`);
  }
  const dtS = elapsedS === 0 ? ZERO_DT_S : elapsedS;
  if (config.sampleTimeS !== null && dtS < config.sampleTimeS && state.lastOutput !== null) {
    return { output: state.lastOutput, state, stepped: false };
  }

  const dt = dtS / SECONDS_PER_UNIT[config.timeUnit];
  const { min, max } = config.outputLimits;
  const error = 0 - input;
  const dInput = input - (state.lastInput ?? input);
  const p = config.kp * error;
  const i = clamp(state.integral + config.ki * error * dt, min, max);
  const d = (-config.kd * dInput) / dt;
  const output = clamp(p + i + d, min, max);
  const components: PidComponents = { p, i, d };
  return {
    output,
    state: { integral: i, lastInput: input, lastOutput: output, lastStepMs: nowMs, components },
    stepped: true,
  };
}

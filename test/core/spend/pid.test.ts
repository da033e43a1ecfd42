import { describe, expect, it } from "vitest";
import { SEED_PID, SpendInputError, ZERO_DT_S, freshPidState, pidStep, type PidConfig } from "../../../core/spend/index.js";

const T0 = Date.UTC(2025, 5, 16);
const pOnly: PidConfig = { ...SEED_PID, ki: 0, kd: 0 };

describe("pidStep: simple-pid 1.0.0 semantics", () => {
  it("is proportional on error with setpoint 0 (error = −input)", () => {
    const r = pidStep(freshPidState(), -10, T0, pOnly);
    expect(r.output).toBe(20);
    expect(r.state.components).toEqual({ p: 20, i: 0, d: -0 });
  });

  it("counts a zero elapsed time as 1e-16 s", () => {
    const r = pidStep(freshPidState(), -10, T0, { ...SEED_PID, ki: 1 });
    expect(r.state.integral).toBe(10 * ZERO_DT_S);
  });

  it("integrates Ki·e·dt with dt in seconds by default and in hours when asked", () => {
    const made = freshPidState(0, T0);
    const later = T0 + 7_200_000;
    expect(pidStep(made, -1, later, { ...SEED_PID, ki: 0.001 }).state.integral).toBeCloseTo(7.2, 12);
    expect(pidStep(made, -1, later, { ...SEED_PID, timeUnit: "h" }).state.integral).toBeCloseTo(0.3, 12);
  });

  it("clamps the integral to the output limits (anti-windup) and the output too", () => {
    const r = pidStep(freshPidState(0, T0), -10, T0 + 3_600_000, SEED_PID);
    expect(r.state.integral).toBe(40);
    expect(r.output).toBe(40);
    const back = pidStep(r.state, 10, T0 + 7_200_000, SEED_PID);
    // Unwinding starts from 40, not from the 5,400 an unclamped integral would have reached.
    expect(back.state.integral).toBe(-40);
  });

  it("leaves a loaded integral unclamped until the next step (as the seed assigns it raw)", () => {
    const loaded = freshPidState(55);
    expect(loaded.integral).toBe(55);
    expect(pidStep(loaded, 0, T0, SEED_PID).state.integral).toBe(40);
  });

  it("takes the derivative on the measurement: −Kd·Δinput/dt, 0 on the first step", () => {
    const first = pidStep(freshPidState(0, T0), -5, T0 + 1000, { ...SEED_PID, ki: 0 });
    expect(first.state.components.d).toBe(-0);
    const second = pidStep(first.state, -3, T0 + 3000, { ...SEED_PID, ki: 0 });
    expect(second.state.components.d).toBe((-0.5 * 2) / 2);
    expect(second.state.components.p).toBe(6);
  });

  it("returns the cached output within the sample time, even for a new input, and keeps its state", () => {
    const first = pidStep(freshPidState(0, T0), -10, T0, SEED_PID);
    const again = pidStep(first.state, 50, T0 + 9, SEED_PID);
    expect(again.stepped).toBe(false);
    expect(again.output).toBe(first.output);
    expect(again.state).toBe(first.state);
    expect(pidStep(first.state, 50, T0 + 10, SEED_PID).stepped).toBe(true);
  });

  it("does not cache before the first real step, nor when sampleTimeS is null", () => {
    expect(pidStep(freshPidState(0, T0), -10, T0, SEED_PID).stepped).toBe(true);
    const first = pidStep(freshPidState(0, T0), -10, T0, SEED_PID);
    expect(pidStep(first.state, 5, T0, { ...SEED_PID, sampleTimeS: null }).stepped).toBe(true);
  });

  it("works without limits when they are infinite", () => {
    const open: PidConfig = { ...SEED_PID, outputLimits: { min: -Infinity, max: Infinity } };
    expect(pidStep(freshPidState(0, T0), -100, T0 + 3_600_000, open).state.integral).toBeCloseTo(54_000, 6);
  });
});

describe("pidStep: input validation names the field", () => {
  const cases: Array<{ name: string; call: () => unknown; field: string }> = [
    { name: "time going backwards", call: () => pidStep(freshPidState(0, T0), 1, T0 - 1, SEED_PID), field: "nowMs" },
    { name: "NaN input", call: () => pidStep(freshPidState(), Number.NaN, T0, SEED_PID), field: "input" },
    { name: "NaN now", call: () => pidStep(freshPidState(), 1, Number.NaN, SEED_PID), field: "nowMs" },
    { name: "negative Kp", call: () => pidStep(freshPidState(), 1, T0, { ...SEED_PID, kp: -1 }), field: "pid.kp" },
    { name: "min ≥ max", call: () => pidStep(freshPidState(), 1, T0, { ...SEED_PID, outputLimits: { min: 5, max: 5 } }), field: "pid.outputLimits" },
    { name: "bad time unit", call: () => pidStep(freshPidState(), 1, T0, { ...SEED_PID, timeUnit: "ms" as "s" }), field: "pid.timeUnit" },
    { name: "non-finite stored integral", call: () => pidStep({ ...freshPidState(), integral: Infinity }, 1, T0, SEED_PID), field: "state.pid.integral" },
  ];
  it.each(cases)("$name → SpendInputError($field)", ({ call, field }) => {
    expect(call).toThrow(SpendInputError);
    expect(call).toThrow(expect.objectContaining({ field }));
  });
});

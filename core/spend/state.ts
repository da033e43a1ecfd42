/**
 * The controller's memory as plain JSON: what the spend loop stores (SQLite, the leader's ConfigMap
 * snapshot) after each decision and reads back after a restart, plus the seed's `pid_state.json`
 * shape (§A.5) for carrying an integral over from a seed installation.
 */
import { SpendInputError, requireEpochMs, requireFinite } from "./errors.js";
import { freshPidState, validatePidState } from "./pid.js";
import type { SpendState } from "./types.js";

const MONTH_KEY = /^\d{4}-(0[1-9]|1[0-2])$/;

export function freshSpendState(integral = 0): SpendState {
  return { version: 1, pid: freshPidState(integral), month: null };
}

export function validateSpendState(s: SpendState, path = "state"): void {
  if (s === null || typeof s !== "object") throw new SpendInputError(path, "expected an object");
  if (s.version !== 1) throw new SpendInputError(`${path}.version`, `expected 1, got ${JSON.stringify(s.version)}`);
  if (s.month !== null && (typeof s.month !== "string" || !MONTH_KEY.test(s.month))) {
    throw new SpendInputError(`${path}.month`, `expected YYYY-MM or null, got ${JSON.stringify(s.month)}`);
  }
  if (s.pid === null || typeof s.pid !== "object") throw new SpendInputError(`${path}.pid`, "expected an object");
  if (s.pid.components === null || typeof s.pid.components !== "object") {
    throw new SpendInputError(`${path}.pid.components`, "expected an object");
  }
  validatePidState(s.pid, `${path}.pid`);
}

/** A stored state read back (JSON.parse output): checked field by field, copied, never trusted. */
export function parseSpendState(value: unknown): SpendState {
  const s = value as SpendState;
  validateSpendState(s);
  const { integral, lastInput, lastOutput, lastStepMs, components } = s.pid;
  return {
    version: 1,
    month: s.month,
    pid: {
      integral,
      lastInput,
      lastOutput,
      lastStepMs,
      components: { p: components.p, i: components.i, d: components.d },
    },
  };
}

/** The seed's `pid_state.json`. */
export interface SeedStateJson {
  integral: number;
  /** Naive ISO date-time with microseconds, as Python's isoformat() writes it. */
  last_update: string;
  components: [number, number, number];
}

/** Our state in the seed's file shape; `lastUpdateMs` is written as a naive date-time in the billing calendar. */
export function toSeedStateJson(state: SpendState, lastUpdateMs: number, utcOffsetMinutes = 0): SeedStateJson {
  validateSpendState(state);
  requireEpochMs("lastUpdateMs", lastUpdateMs);
  const wall = new Date(lastUpdateMs + utcOffsetMinutes * 60_000).toISOString(); // 2025-06-16T16:22:06.222Z
  // Date keeps milliseconds; the sub-millisecond digits of the microsecond field come from the fraction.
  const micros = String(Math.min(999, Math.floor((lastUpdateMs - Math.floor(lastUpdateMs)) * 1000))).padStart(3, "0");
  const { p, i, d } = state.pid.components;
  return { integral: state.pid.integral, last_update: `${wall.slice(0, 23)}${micros}`, components: [p, i, d] };
}

/** The seed loads only `integral` (§A.5); so do we. The rest of the state starts fresh. */
export function fromSeedStateJson(value: unknown): SpendState {
  if (value === null || typeof value !== "object" || !("integral" in value)) {
    throw new SpendInputError("integral", "the seed state has no integral");
  }
  return freshSpendState(requireFinite("integral", (value as { integral: number }).integral));
}

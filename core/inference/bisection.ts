/**
 * Bisection for the rate x at which a monotone metric f(x) meets a target (spec §2.6), with the
 * original's float32 midpoints, its relative tolerance and its "below/above the region" verdicts.
 */
import { BISECTION_TOLERANCE, f32 } from "./float32.js";
import { goFloat32 } from "./goFormat.js";
import type { Outcome } from "./outcome.js";

const MAX_ITERATIONS = 100;

/** |(y − t)/t| ≤ 1e-6 with the quotient in float32; exact equality always counts, t = 0 never otherwise. */
export function withinTolerance(y: number, target: number): boolean {
  if (y === target) return true;
  if (target === 0) return false;
  return Math.abs(f32(f32(y - target) / target)) <= BISECTION_TOLERANCE;
}

/**
 * `below`: the target lies outside the curve on the low-rate side (infeasible); `x` is then lo.
 * `above`: every rate in range meets it; `x` is hi. `within`: x found (or the last midpoint).
 */
export type BisectionResult = { kind: "within" | "above" | "below"; x: number } | { kind: "error"; error: string };

export function bisect(lo: number, hi: number, target: number, f: (x: number) => Outcome<number>): BisectionResult {
  if (lo > hi) return { kind: "error", error: `invalid range [${goFloat32(lo)}, ${goFloat32(hi)}]` };
  const atLo = f(lo);
  if (!atLo.ok) return { kind: "error", error: `invalid function evaluation: ${atLo.error}` };
  if (withinTolerance(atLo.value, target)) return { kind: "within", x: lo };
  const atHi = f(hi);
  if (!atHi.ok) return { kind: "error", error: `invalid function evaluation: ${atHi.error}` };
  if (withinTolerance(atHi.value, target)) return { kind: "within", x: hi };

  const increasing = atLo.value < atHi.value;
  if ((increasing && target < atLo.value) || (!increasing && target > atLo.value)) return { kind: "below", x: lo };
  if ((increasing && target > atHi.value) || (!increasing && target < atHi.value)) return { kind: "above", x: hi };

  let x = 0;
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    x = f32(0.5 * f32(lo + hi));
    const y = f(x);
    if (!y.ok) return { kind: "error", error: `invalid function evaluation: ${y.error}` };
    if (withinTolerance(y.value, target)) break;
    if ((increasing && target < y.value) || (!increasing && target > y.value)) hi = x;
    else lo = x;
  }
  return { kind: "within", x };
}

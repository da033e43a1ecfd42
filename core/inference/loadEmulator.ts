/**
 * The inference load emulator (spec §4, "Load emulator"): moves each managed server's load labels so
 * the control loop has something to react to in tests, the simulation and demos. Pure: the caller
 * hands in the current load, the emulator's memory and a seeded normal source.
 *
 * - `classic`: the original `loademulator` (interval, alpha): a random walk whose σ is fixed per
 *   server the first time it is seen (alpha × the value then); rpm clamped to [6, 240] and kept to 4
 *   decimals, tokens rounded up and clamped to [100, 10000]. Kept as it was, oddities included (§6.10:
 *   the clamp ignores the server's scale, σ is lost on restart), because tests compare with it.
 * - `mean-reverting`: the 2026 emulator's law, rpm' = rpm + θ(nom − rpm) + α·nom·Z clamped to
 *   [nom/10, 10·nom], with the nominal from the `…load.nominal.*` labels or the first value seen;
 *   tokens follow the same law, rounded up. It stays around the nominal instead of drifting away.
 */
export type EmulatorMode = "classic" | "mean-reverting";

export interface EmulatedLoad {
  rpm: number;
  inTokens: number;
  outTokens: number;
}

export interface EmulatorSettings {
  mode: EmulatorMode;
  /** classic: σ = alpha × first value; mean-reverting: noise = alpha × nominal. 0 ≤ alpha ≤ 1. */
  alpha: number;
  /** mean-reverting: pull towards the nominal per step, 0..1. */
  theta: number;
}

export const CLASSIC_DEFAULTS: EmulatorSettings = { mode: "classic", alpha: 0.5, theta: 0 };
export const MEAN_REVERTING_DEFAULTS: EmulatorSettings = { mode: "mean-reverting", alpha: 0.1, theta: 0.2 };

export const CLASSIC_RPM_BOUNDS = [6, 240] as const;
export const CLASSIC_TOKEN_BOUNDS = [100, 10_000] as const;

/** What the emulator remembers of a server between steps (per Deployment UID). */
export interface EmulatorMemory {
  /** classic: σ per quantity; mean-reverting: the nominal load. */
  readonly anchor: EmulatedLoad;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Standard normals from a uniform source in [0, 1) (Box–Muller; the second value is kept for the next call). */
export function normalSource(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    let u = 0;
    while (u <= Number.EPSILON) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** The memory a server gets when first seen: σ from its current load (classic) or its nominal. */
export function firstSight(current: EmulatedLoad, nominal: EmulatedLoad | undefined, s: EmulatorSettings): EmulatorMemory {
  if (s.mode === "classic") return { anchor: { rpm: s.alpha * current.rpm, inTokens: s.alpha * current.inTokens, outTokens: s.alpha * current.outTokens } };
  return { anchor: nominal ?? current };
}

export function emulateStep(current: EmulatedLoad, memory: EmulatorMemory, s: EmulatorSettings, z: () => number): EmulatedLoad {
  const a = memory.anchor;
  if (s.mode === "classic") {
    const [rlo, rhi] = CLASSIC_RPM_BOUNDS;
    const [tlo, thi] = CLASSIC_TOKEN_BOUNDS;
    return {
      rpm: Math.round(clamp(current.rpm + a.rpm * z(), rlo, rhi) * 1e4) / 1e4,
      inTokens: clamp(Math.ceil(current.inTokens + a.inTokens * z()), tlo, thi),
      outTokens: clamp(Math.ceil(current.outTokens + a.outTokens * z()), tlo, thi),
    };
  }
  const revert = (value: number, nominal: number) => clamp(value + s.theta * (nominal - value) + s.alpha * nominal * z(), nominal / 10, nominal * 10);
  return {
    rpm: Math.round(revert(current.rpm, a.rpm) * 1e4) / 1e4,
    inTokens: Math.max(1, Math.ceil(revert(current.inTokens, a.inTokens))),
    outTokens: Math.max(1, Math.ceil(revert(current.outTokens, a.outTokens))),
  };
}

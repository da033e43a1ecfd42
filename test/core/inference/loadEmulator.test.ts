import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CLASSIC_DEFAULTS, emulateStep, firstSight, MEAN_REVERTING_DEFAULTS, normalSource, seededUniform, type EmulatedLoad } from "../../../core/inference/index.js";

const start: EmulatedLoad = { rpm: 60, inTokens: 512, outTokens: 256 };

function walk(settings = CLASSIC_DEFAULTS, seed = 7, steps = 200, from = start, nominal?: EmulatedLoad): EmulatedLoad[] {
  const z = normalSource(seededUniform(seed));
  const memory = firstSight(from, nominal, settings);
  const out: EmulatedLoad[] = [];
  let load = from;
  for (let i = 0; i < steps; i++) out.push((load = emulateStep(load, memory, settings, z)));
  return out;
}

describe("load emulator", () => {
  it("draws standard normals from a seeded source (mean ~0, variance ~1) and replays them for a seed", () => {
    const z = normalSource(seededUniform(1));
    const xs = Array.from({ length: 20_000 }, z);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(walk(CLASSIC_DEFAULTS, 3)).toEqual(walk(CLASSIC_DEFAULTS, 3));
    expect(walk(CLASSIC_DEFAULTS, 3)).not.toEqual(walk(CLASSIC_DEFAULTS, 4));
  });

  it("classic: a random walk with σ frozen at first sight, rpm in [6, 240] to 4 decimals, tokens whole in [100, 10000]", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.double({ min: 6, max: 240, noNaN: true }), (seed, rpm) => {
        for (const l of walk(CLASSIC_DEFAULTS, seed, 100, { rpm, inTokens: 1000, outTokens: 300 })) {
          expect(l.rpm).toBeGreaterThanOrEqual(6);
          expect(l.rpm).toBeLessThanOrEqual(240);
          expect(Math.round(l.rpm * 1e4) / 1e4).toBe(l.rpm);
          expect(Number.isInteger(l.inTokens) && l.inTokens >= 100 && l.inTokens <= 10_000).toBe(true);
          expect(Number.isInteger(l.outTokens) && l.outTokens >= 100 && l.outTokens <= 10_000).toBe(true);
        }
      }),
    );
    // σ = alpha × the first value seen, not the current one: a step from a later state uses the same σ.
    const memory = firstSight(start, undefined, CLASSIC_DEFAULTS);
    expect(memory.anchor).toEqual({ rpm: 30, inTokens: 256, outTokens: 128 });
    const zOne = () => 1;
    expect(emulateStep({ rpm: 100, inTokens: 1000, outTokens: 1000 }, memory, CLASSIC_DEFAULTS, zOne)).toEqual({ rpm: 130, inTokens: 1256, outTokens: 1128 });
  });

  it("mean-reverting: stays around the nominal, within [nom/10, 10·nom]", () => {
    const nominal = { rpm: 120, inTokens: 800, outTokens: 200 };
    const steps = walk(MEAN_REVERTING_DEFAULTS, 11, 2_000, { rpm: 10, inTokens: 100, outTokens: 50 }, nominal);
    for (const l of steps) {
      expect(l.rpm).toBeGreaterThanOrEqual(12);
      expect(l.rpm).toBeLessThanOrEqual(1200);
    }
    const late = steps.slice(500);
    const meanRpm = late.reduce((a, l) => a + l.rpm, 0) / late.length;
    expect(Math.abs(meanRpm - 120) / 120).toBeLessThan(0.05);
    // The pull alone (no noise) closes θ of the gap per step.
    const memory = firstSight({ rpm: 10, inTokens: 100, outTokens: 50 }, nominal, MEAN_REVERTING_DEFAULTS);
    expect(emulateStep({ rpm: 20, inTokens: 100, outTokens: 50 }, memory, MEAN_REVERTING_DEFAULTS, () => 0)).toEqual({ rpm: 40, inTokens: 240, outTokens: 80 });
  });
});

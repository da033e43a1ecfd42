/**
 * The extender's node score: a weighted mean of four components in [0,1], scaled to the extender
 * range 0..10 (MaxExtenderPriority) and rounded to an integer, as kube-scheduler requires.
 */

export const MAX_EXTENDER_PRIORITY = 10;
export const NEUTRAL_COMPONENT = 0.5;

export const COMPONENTS = ["runtime", "interference", "topology", "spend"] as const;
export type Component = (typeof COMPONENTS)[number];

export type Components = Record<Component, number>;
export type Weights = Record<Component, number>;

export const DEFAULT_WEIGHTS: Weights = { runtime: 1, interference: 1, topology: 1, spend: 1 };

/** Weights must be finite, ≥ 0 and not all 0 (a mean over nothing is undefined). */
export function checkWeights(w: Weights): string | undefined {
  for (const c of COMPONENTS) {
    if (!Number.isFinite(w[c]) || w[c] < 0) return `weight ${c}: expected a finite number ≥ 0, got ${w[c]}`;
  }
  if (COMPONENTS.every((c) => w[c] === 0)) return "weights: at least one must be above 0";
  return undefined;
}

/** A component outside [0,1] or NaN is a bug upstream: clamp it (NaN reads as neutral) rather than emit a bad score. */
function unit(x: number): number {
  if (Number.isNaN(x)) return NEUTRAL_COMPONENT;
  return Math.min(1, Math.max(0, x));
}

export function nodeScore(components: Components, weights: Weights): number {
  return scoreOf(components.runtime, components.interference, components.topology, components.spend, weights);
}

/** nodeScore without the components object, for the per-node loop over thousands of nodes. */
export function scoreOf(runtime: number, interference: number, topology: number, spend: number, w: Weights): number {
  const sum = w.runtime * unit(runtime) + w.interference * unit(interference) + w.topology * unit(topology) + w.spend * unit(spend);
  return Math.round((MAX_EXTENDER_PRIORITY * sum) / (w.runtime + w.interference + w.topology + w.spend));
}

export const NEUTRAL_COMPONENTS: Components = { runtime: NEUTRAL_COMPONENT, interference: NEUTRAL_COMPONENT, topology: NEUTRAL_COMPONENT, spend: NEUTRAL_COMPONENT };

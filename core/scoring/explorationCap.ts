import type { DecisionMode } from "./types.js";

/** A pick whose variance exceeds this (σ > 1 s) counts as exploration. */
export const EXPLORATION_VARIANCE = 1;

export interface DecisionCounters {
  decisionsTotal: number;
  explorationDecisions: number;
}

export interface CandidateChoice {
  index: number;
  mode: DecisionMode;
}

/**
 * Whether one more exploring decision fits under the cap, judged on the decisions made so far:
 * r = explorations ÷ decisions (0 before the first) must be below the cap; a cap ≥ 1 never binds.
 * Deviation from the seed: it counted the exploration first, then compared and fell back, yet kept
 * counting the fallback as an exploration, so its ratio reached 1.0 whatever the cap. Here only
 * decisions that really explore are counted, and the ratio converges to the cap (250 of 1000 at 0.25).
 */
export function explorationAllowed(c: DecisionCounters, cap: number): boolean {
  if (cap >= 1) return true;
  const ratio = c.decisionsTotal === 0 ? 0 : c.explorationDecisions / c.decisionsTotal;
  return ratio < cap;
}

/**
 * Picks the first lowest-cost candidate; if that one is still uncertain and the cap is reached, the
 * first lowest-mean candidate instead (pure exploitation). Updates the counters in place.
 */
export function chooseCandidate(
  candidates: readonly { mu: number; cost: number; variance: number }[],
  counters: DecisionCounters,
  cap: number,
): CandidateChoice {
  const cheapest = firstArgMin(candidates.map((c) => c.cost));
  const explores = (candidates[cheapest]?.variance ?? 0) > EXPLORATION_VARIANCE;
  let choice: CandidateChoice = { index: cheapest, mode: "exploitation" };
  if (explores) {
    choice = explorationAllowed(counters, cap)
      ? { index: cheapest, mode: "exploration" }
      : { index: firstArgMin(candidates.map((c) => c.mu)), mode: "capped" };
  }
  counters.decisionsTotal += 1;
  if (choice.mode === "exploration") counters.explorationDecisions += 1;
  return choice;
}

/** Index of the first smallest value: candidate order breaks ties. */
function firstArgMin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[best] as number)) best = i;
  return best;
}

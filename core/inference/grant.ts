/** What the solver gives a server: a candidate, possibly with fewer replicas than it needs. */
import type { Candidate } from "./candidate.js";
import { f32 } from "./float32.js";

export interface Grant {
  candidate: Candidate;
  numReplicas: number;
  /** Scaled by granted/needed replicas for a partial grant (latencies are not, spec §3.4). */
  cost: number;
  value: number;
  /** Fewer replicas than the candidate needs: granted from leftover capacity by best effort. */
  partial: boolean;
}

export function fullGrant(candidate: Candidate): Grant {
  return { candidate, numReplicas: candidate.numReplicas, cost: candidate.cost, value: candidate.value, partial: false };
}

export function partialGrant(candidate: Candidate, replicas: number): Grant {
  const factor = f32(f32(replicas) / f32(candidate.numReplicas));
  return { candidate, numReplicas: replicas, cost: f32(candidate.cost * factor), value: f32(candidate.value * factor), partial: replicas < candidate.numReplicas };
}

/** Capacity left per card type; a type never listed has none. */
export type Available = Map<string, number>;

export const availableOf = (available: Available, type: string): number => available.get(type) ?? 0;

/**
 * Unlimited mode (spec §3.2): capacity is ignored and each server takes its cheapest candidate.
 * Candidates arrive sorted by (value, accelerator name), so the first strictly-cheapest one wins
 * and ties go to the smallest accelerator name (§3.5).
 */
import type { Candidate } from "./candidate.js";
import { MAX_FLOAT32 } from "./float32.js";
import { fullGrant, type Grant } from "./grant.js";

export function solveUnlimited(candidatesByServer: ReadonlyMap<string, readonly Candidate[]>): Map<string, Grant> {
  const grants = new Map<string, Grant>();
  for (const [server, candidates] of candidatesByServer) {
    const cheapest = candidates[0];
    // The original starts its minimum at MaxFloat32 and keeps strictly smaller values only.
    if (cheapest !== undefined && cheapest.value < MAX_FLOAT32) grants.set(server, fullGrant(cheapest));
  }
  return grants;
}

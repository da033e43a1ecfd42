/**
 * Capacity-limited greedy allocation (spec §3.3): servers in priority order each take their
 * cheapest candidate that still fits; a refused server moves to its next candidate and is
 * re-queued by how much it stands to lose; servers that run out go to best effort (§3.4).
 */
import type { Candidate } from "./candidate.js";
import { f32, MAX_FLOAT32 } from "./float32.js";
import { bestEffort, type SaturationPolicy } from "./bestEffort.js";
import { availableOf, fullGrant, type Available, type Grant } from "./grant.js";
import { entryOrder, initialOrder, newEntry, priorityGroups, type ServerEntry } from "./serverEntry.js";

export interface GreedyInput {
  candidatesByServer: ReadonlyMap<string, readonly Candidate[]>;
  priorityOf(server: string): number;
  capacity: ReadonlyMap<string, number>;
  delayedBestEffort: boolean;
  saturationPolicy: SaturationPolicy;
}

/** First index in queue[from..] whose entry does not order strictly before `entry` (ahead of equals). */
function insertionPoint(queue: readonly ServerEntry[], from: number, entry: ServerEntry): number {
  let lo = from;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entryOrder(queue[mid]!, entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Serves the entries in order; returns those left without any candidate, in the order they ran out. */
function allocate(entries: readonly ServerEntry[], available: Available, grants: Map<string, Grant>): ServerEntry[] {
  const queue = [...entries];
  const leftovers: ServerEntry[] = [];
  for (let head = 0; head < queue.length; head++) {
    const top = queue[head]!;
    const candidate = top.candidates[top.cursor]!;
    // The idle scale-to-zero candidate names no accelerator: the original drops the server here.
    if (candidate.acceleratorType === "") continue;
    const count = candidate.numReplicas * candidate.unitsPerReplica;
    if (availableOf(available, candidate.acceleratorType) >= count) {
      available.set(candidate.acceleratorType, availableOf(available, candidate.acceleratorType) - count);
      grants.set(top.server, fullGrant(candidate));
      continue;
    }
    top.cursor++;
    if (top.cursor === top.candidates.length) {
      leftovers.push(top);
      continue;
    }
    top.delta = top.cursor + 1 < top.candidates.length ? f32(top.candidates[top.cursor + 1]!.value - top.candidates[top.cursor]!.value) : MAX_FLOAT32;
    queue.splice(insertionPoint(queue, head + 1, top), 0, top);
  }
  return leftovers;
}

export function solveGreedy(input: GreedyInput): Map<string, Grant> {
  const available: Available = new Map(input.capacity);
  const entries: ServerEntry[] = [];
  for (const [server, candidates] of input.candidatesByServer) {
    if (candidates.length > 0) entries.push(newEntry(server, input.priorityOf(server), candidates));
  }
  entries.sort(initialOrder);

  const grants = new Map<string, Grant>();
  if (input.delayedBestEffort) {
    bestEffort(allocate(entries, available, grants), available, input.saturationPolicy, grants);
  } else {
    // Each priority group's best effort takes capacity before the next group is served.
    for (const group of priorityGroups(entries)) bestEffort(allocate(group, available, grants), available, input.saturationPolicy, grants);
  }
  return grants;
}

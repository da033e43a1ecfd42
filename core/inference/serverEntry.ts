/**
 * A server waiting in the greedy queue (spec §3.3): its candidates cheapest first, a cursor on
 * the one it asks for now, and `delta`, what it loses if refused that one.
 */
import type { Candidate } from "./candidate.js";
import { f32, MAX_FLOAT32 } from "./float32.js";
import { byName } from "./systemIndex.js";

export interface ServerEntry {
  server: string;
  priority: number;
  candidates: readonly Candidate[];
  cursor: number;
  delta: number;
}

export function newEntry(server: string, priority: number, candidates: readonly Candidate[]): ServerEntry {
  const delta = candidates.length > 1 ? f32(candidates[1]!.value - candidates[0]!.value) : MAX_FLOAT32;
  return { server, priority, candidates, cursor: 0, delta };
}

const compareNumbers = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Higher priority (smaller number) first; then the larger loss if refused; then the dearer
 * current candidate. 0 means the original cannot tell them apart.
 */
export function entryOrder(a: ServerEntry, b: ServerEntry): number {
  if (a.priority !== b.priority) return compareNumbers(a.priority, b.priority);
  if (a.delta !== b.delta) return compareNumbers(b.delta, a.delta);
  return compareNumbers(b.candidates[b.cursor]!.value, a.candidates[a.cursor]!.value);
}

/** Initial order: entryOrder, and server name where the original would pick at random (§3.5). */
export function initialOrder(a: ServerEntry, b: ServerEntry): number {
  return entryOrder(a, b) || byName(a.server, b.server);
}

/** Consecutive runs of equal priority, in list order. */
export function priorityGroups(entries: readonly ServerEntry[]): ServerEntry[][] {
  const groups: ServerEntry[][] = [];
  for (const entry of entries) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0]!.priority === entry.priority) last.push(entry);
    else groups.push([entry]);
  }
  return groups;
}

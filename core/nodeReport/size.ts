/**
 * The report's size budget and the trimming that keeps a status inside it.
 *
 * etcd refuses writes over 1.5 MiB (its default `--max-request-bytes`), and the stored object is more
 * than its status: metadata, and for server-side apply `managedFields`, which lists every field path
 * the agent owns (one entry per list item key), about as many bytes again as the report's structure.
 * A status of at most 512 KiB leaves that room with a margin. Spec §7.3 puts a real node (8 GPUs,
 * 12 NICs, ~50 replicas) at 10-30 KB, so only a node far outside that ever gets trimmed.
 */
import { MAX_PROBLEMS } from "./agent.js";
import type { ReplicaReport } from "./replicas.js";
import type { NodeReportStatus } from "./report.js";

export const MAX_NODE_REPORT_BYTES = 512 * 1024;

/** UTF-8 bytes of the value's JSON: what the API server receives and etcd stores (before managedFields). */
export function nodeReportSize(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

export interface FittedStatus {
  status: NodeReportStatus;
  bytes: number;
  /** False when even without problems and replicas the status is over the budget (the caller must not write it). */
  fits: boolean;
  droppedProblems: number;
  droppedReplicas: number;
}

/** Replicas in the order they are given up: unknown rate, then idle servers first (they tell the autoscaler least), then by name. */
function dropOrder(replicas: readonly ReplicaReport[]): ReplicaReport[] {
  const rate = (r: ReplicaReport): number => r.requestRate ?? -1;
  const name = (r: ReplicaReport): string => `${r.namespace}/${r.pod}`;
  return [...replicas].sort((a, b) => rate(a) - rate(b) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
}

/** How many of `items`, taken in order, it takes to free `excess` bytes (each item's JSON plus its comma); at least one. */
function countToFree(items: readonly unknown[], excess: number): number {
  let freed = 0;
  let n = 0;
  while (n < items.length && freed < excess) {
    freed += nodeReportSize(items[n]) + 1;
    n += 1;
  }
  return Math.max(1, n);
}

/**
 * The status as it can be written within `maxBytes`: unchanged when it fits; otherwise the bounded
 * lists give way, problems first (from the oldest, the end of the list), then replicas (idle first),
 * and a problem saying what was left out goes first in the list. `summary` keeps the full counts.
 */
export function fitNodeReport(status: NodeReportStatus, maxBytes = MAX_NODE_REPORT_BYTES): FittedStatus {
  const bytes = nodeReportSize(status);
  if (bytes <= maxBytes) return { status, bytes, fits: true, droppedProblems: 0, droppedReplicas: 0 };
  const problems = status.agent.problems;
  const order = dropOrder(status.replicas);
  let skipProblems = 0;
  let skipReplicas = 0;
  for (;;) {
    // One slot goes to the note, so at most MAX_PROBLEMS - 1 of the agent's own problems stay.
    const keptProblems = problems.slice(0, Math.min(problems.length - skipProblems, MAX_PROBLEMS - 1));
    const dropped = new Set(order.slice(0, skipReplicas));
    const keptReplicas = status.replicas.filter((r) => !dropped.has(r));
    const droppedProblems = problems.length - keptProblems.length;
    const note = `report over ${maxBytes} bytes: left out ${skipReplicas} of ${status.replicas.length} replicas and ${droppedProblems} of ${problems.length} problems`;
    const candidate: NodeReportStatus = { ...status, agent: { ...status.agent, problems: [note, ...keptProblems] }, replicas: keptReplicas };
    const size = nodeReportSize(candidate);
    const result = { status: candidate, bytes: size, droppedProblems, droppedReplicas: skipReplicas };
    if (size <= maxBytes) return { ...result, fits: true };
    const excess = size - maxBytes;
    if (keptProblems.length > 0) skipProblems = problems.length - keptProblems.length + countToFree([...keptProblems].reverse(), excess);
    else if (skipReplicas < order.length) skipReplicas = Math.min(order.length, skipReplicas + countToFree(order.slice(skipReplicas), excess));
    else return { ...result, fits: false };
  }
}

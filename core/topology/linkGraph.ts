import { type Link, parseLinkToken } from "./linkClass.js";
import { linkPoints, placementPercent, REMOTE_DISTANCE } from "./quality.js";
import type { TopologyReport } from "./report.js";

/**
 * A report's GPUs as a weighted graph, built once per report (the extender can cache it until the
 * report changes) and searched once per pod. Positions are ascending GPU index, so position order is
 * index order and the search's lexicographic tie-break picks the lowest indices.
 */
export interface LinkGraph {
  readonly gpuIndices: readonly number[];
  readonly links: readonly (readonly Link[])[];
  readonly numaNodes: readonly (number | null)[];
  /** Socket group of each GPU's NUMA node from the distance table (lowest node id of its group); null if unknown. */
  readonly sockets: readonly (number | null)[];
  /** `pairPoints[i][j]` by position, see quality.ts; the diagonal is unused. */
  readonly pairPoints: readonly (readonly number[])[];
}

export function buildLinkGraph(report: TopologyReport): LinkGraph {
  const order = report.gpus.map((g, pos) => ({ g, pos })).sort((a, b) => a.g.index - b.g.index);
  const links = order.map((a) => order.map((b) => parseLinkToken(report.links[a.pos]?.[b.pos] ?? "SYS")));
  const maxNvlinks = Math.max(0, ...links.flat().map((l) => l.nvlinks));
  const socketOf = socketGroups(report);
  const numaNodes = order.map(({ g }) => g.numaNode);
  const sockets = numaNodes.map((n) => (n === null ? null : (socketOf.get(n) ?? null)));
  const pairPoints = links.map((row, i) =>
    row.map((link, j) => {
      const a = sockets[i] ?? null;
      const b = sockets[j] ?? null;
      const sameSocket = a === null || b === null ? undefined : a === b;
      return linkPoints(link, maxNvlinks) * placementPercent(numaNodes[i] ?? null, numaNodes[j] ?? null, sameSocket);
    }),
  );
  return { gpuIndices: order.map(({ g }) => g.index), links, numaNodes, sockets, pairPoints };
}

/** NUMA node id → lowest node id reachable through distances below REMOTE_DISTANCE (one package). */
function socketGroups(report: TopologyReport): Map<number, number> {
  const nodes = report.numaNodes ?? [];
  const group = new Map<number, number>();
  for (const start of nodes) {
    if (group.has(start.id)) continue;
    const stack = [start];
    group.set(start.id, start.id);
    while (stack.length > 0) {
      const node = stack.pop();
      node?.distances.forEach((d, j) => {
        const other = nodes[j];
        // Both directions must agree: a lopsided table is not evidence of a shared package.
        const back = other?.distances[nodes.indexOf(node)];
        if (other && !group.has(other.id) && d < REMOTE_DISTANCE && back !== undefined && back < REMOTE_DISTANCE) {
          group.set(other.id, start.id);
          stack.push(other);
        }
      });
    }
  }
  return group;
}

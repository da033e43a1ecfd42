import type { LinkGraph } from "./linkGraph.js";
import { linkPoints } from "./quality.js";

/**
 * A short account of a chosen subset for the `gpu-steward.io/decision` annotation and logs, e.g.
 * `GPUs 0,1,2,3: NV18×6; NUMA 0` or `GPUs 0,4: SYS×1; NUMA 0,1 across 2 sockets`.
 */
export function describeSubset(graph: LinkGraph, positions: readonly number[]): string {
  const indices = positions.map((p) => graph.gpuIndices[p]);
  const head = positions.length === 1 ? `GPU ${indices[0]}` : `GPUs ${indices.join(",")}`;
  return `${head}: ${linkSummary(graph, positions)}; ${numaSummary(graph, positions)}`;
}

function linkSummary(graph: LinkGraph, positions: readonly number[]): string {
  if (positions.length === 1) return "single GPU";
  const counts = new Map<string, { n: number; points: number }>();
  for (let i = 0; i < positions.length; i++) {
    for (let j = 0; j < i; j++) {
      const link = graph.links[positions[i] ?? 0]?.[positions[j] ?? 0];
      if (!link) continue;
      const entry = counts.get(link.token) ?? { n: 0, points: linkPoints(link, link.nvlinks) };
      entry.n += 1;
      counts.set(link.token, entry);
    }
  }
  return [...counts.entries()]
    .sort(([ta, a], [tb, b]) => b.points - a.points || (ta < tb ? -1 : 1))
    .map(([token, { n }]) => `${token}×${n}`)
    .join(", ");
}

function numaSummary(graph: LinkGraph, positions: readonly number[]): string {
  const numa = new Set<number>();
  const sockets = new Set<number>();
  let unknown = false;
  for (const p of positions) {
    const node = graph.numaNodes[p];
    if (node === null || node === undefined) unknown = true;
    else numa.add(node);
    const socket = graph.sockets[p];
    if (socket !== null && socket !== undefined) sockets.add(socket);
  }
  if (numa.size === 0) return "NUMA unknown";
  const list = `NUMA ${[...numa].sort((a, b) => a - b).join(",")}${unknown ? ",?" : ""}`;
  if (numa.size === 1) return list;
  // Socket groups come only from a NUMA distance table; without one, say nothing about sockets.
  if (sockets.size === 0) return list;
  return sockets.size === 1 ? `${list} on one socket` : `${list} across ${sockets.size} sockets`;
}

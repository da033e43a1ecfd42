/**
 * The topology component: the quality of the best free k-GPU subset on the node (core/topology),
 * neutral for nodes without a report. The subset search costs microseconds per node, too much for
 * thousands of nodes per call, but identical machines with the same GPUs taken give the same answer:
 * answers are cached by (link layout, allocated GPUs, k), bounded.
 */
import { NEUTRAL_COMPONENT, type NodeCapacity } from "../core/placement/index.js";
import { topologyScore } from "../core/topology/index.js";

export function cachedTopologyScorer(maxEntries = 50_000): (node: NodeCapacity, gpus: number) => number {
  let cache = new Map<string, Map<string, Map<number, number>>>();
  let entries = 0;
  return (node, gpus) => {
    const t = node.topology;
    if (!t) return NEUTRAL_COMPONENT;
    let byAllocated = cache.get(t.graphKey);
    if (!byAllocated) cache.set(t.graphKey, (byAllocated = new Map()));
    let byK = byAllocated.get(t.allocatedKey);
    if (!byK) byAllocated.set(t.allocatedKey, (byK = new Map()));
    let score = byK.get(gpus);
    if (score === undefined) {
      const answer = topologyScore(t.graph, gpus, t.allocated);
      // Does not fit on the links the agent reports (fewer free GPUs than the view counts): rank it last.
      score = answer.outcome === "placed" ? answer.score : answer.outcome === "neutral" ? NEUTRAL_COMPONENT : 0;
      if (++entries > maxEntries) {
        cache = new Map();
        entries = 0;
      }
      byK.set(gpus, score);
    }
    return score;
  };
}

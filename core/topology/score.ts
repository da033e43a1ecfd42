import { buildLinkGraph, type LinkGraph } from "./linkGraph.js";
import type { TopologyReport } from "./report.js";
import { bestGpuSubset, type SubsetSearchOptions, type TopologyScore } from "./subset.js";

/**
 * Score of a node that sent no topology report: halfway, so such a node neither wins nor loses on
 * topology against reported nodes, whose scores spread over 0…1 around it.
 */
export const NEUTRAL_TOPOLOGY_SCORE = 0.5;

export function neutralTopologyScore(): TopologyScore {
  return { outcome: "neutral", gpus: [], score: NEUTRAL_TOPOLOGY_SCORE, reason: "no topology report" };
}

/**
 * What the extender calls per (pod, node): the best free k-GPU subset of the node's report, or the
 * neutral score when there is none. Pass a LinkGraph instead of the report to reuse one built earlier.
 */
export function topologyScore(
  topology: TopologyReport | LinkGraph | undefined,
  k: number,
  allocated: Iterable<number>,
  opts: SubsetSearchOptions = {},
): TopologyScore {
  if (topology === undefined) return neutralTopologyScore();
  const graph = "pairPoints" in topology ? topology : buildLinkGraph(topology);
  return bestGpuSubset(graph, k, allocated, opts);
}

import type { LinkGraph } from "../topology/index.js";

/** A node's GPU links (from its NodeReport) and which GPU indices are taken. */
export interface NodeTopology {
  graph: LinkGraph;
  /** Equal for nodes with the same links, so scores can be shared between identical machines. */
  graphKey: string;
  allocated: readonly number[];
  /** Canonical text of `allocated`. */
  allocatedKey: string;
}

/**
 * A GPU node as placement sees it: what it has, what is taken, what runs there. Built by the
 * cluster view from Nodes and Pods (allocatable − requests of non-terminal pods).
 */
export interface NodeCapacity {
  name: string;
  /** `nvidia.com/gpu.product`; undefined when the node does not say. */
  product?: string;
  allocatableGpus: number;
  usedGpus: number;
  /** The spend pool (`gpu-steward.io/pool`), e.g. "credits". */
  pool?: string;
  /** Job types of the GPU pods running on the node, with counts (the interference neighbours). */
  jobTypes: ReadonlyMap<string, number>;
  /** Canonical text of `jobTypes` (equal maps, equal keys), so scorers can cache per neighbour set. */
  jobTypesKey: string;
  /**
   * Canonical text of what a fit depends on (product, pool, allocatable, used): nodes with equal keys
   * fit a pod equally, so a filter over thousands of nodes decides once per key. The view keeps one
   * string per distinct text, so keys compare by pointer.
   */
  fitKey: string;
  /** Absent until the node agent reports the node's topology. */
  topology?: NodeTopology | undefined;
}

export function freeGpus(node: NodeCapacity): number {
  return Math.max(0, node.allocatableGpus - node.usedGpus);
}

export function fitKeyOf(node: Pick<NodeCapacity, "product" | "pool" | "allocatableGpus" | "usedGpus">): string {
  // JSON: a node without a product label and one labelled "" have different keys (they fail differently).
  return JSON.stringify([node.product ?? null, node.pool ?? null, node.allocatableGpus, node.usedGpus]);
}

/**
 * Canonical text of every node fact a placement answer depends on: what fits (the fit key), the
 * neighbours (job types) and the GPU links with the GPUs taken. Nodes with equal keys get the same
 * filter verdict and the same score for a pod; a cluster of thousands of nodes has a few hundred keys.
 */
export function placementKeyOf(node: NodeCapacity): string {
  const t = node.topology;
  return `${node.fitKey}\u0001${node.jobTypesKey}\u0001${t === undefined ? "" : `${t.graphKey}\u0001${t.allocatedKey}`}`;
}

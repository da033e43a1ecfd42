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
}

export function freeGpus(node: NodeCapacity): number {
  return Math.max(0, node.allocatableGpus - node.usedGpus);
}

/**
 * Cards per accelerator type from the cluster's nodes (the optimizer's capacity-data.json).
 *
 * A node's type: the `gpu-steward.io/accelerator-type` label when set (exactly a `type` of
 * accelerator-data.json, e.g. `A100`), else the GPU operator's `nvidia.com/gpu.product`
 * (`NVIDIA-A100-SXM4-80GB`) matched against the known types as a whole dash/underscore/space
 * separated word, the longest known type winning (so `H100` does not also count as `H10`). Cards:
 * the node's allocatable `nvidia.com/gpu` or `amd.com/gpu`. Cordoned nodes give nothing: nothing new
 * can be scheduled there. Pure: nodes in, counts out.
 */
export const ACCELERATOR_TYPE_LABEL = "gpu-steward.io/accelerator-type";
const PRODUCT_LABELS = ["nvidia.com/gpu.product", "amd.com/gpu.product-name"];
const GPU_RESOURCES = ["nvidia.com/gpu", "amd.com/gpu"];

export interface CapacityDocument {
  count: Array<{ type: string; count: number }>;
}

interface NodeShape {
  metadata?: { labels?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { allocatable?: Record<string, string> };
}

export function nodeAcceleratorType(labels: Readonly<Record<string, string>>, knownTypes: readonly string[]): string | undefined {
  const explicit = labels[ACCELERATOR_TYPE_LABEL];
  if (explicit !== undefined && explicit !== "") return explicit;
  for (const key of PRODUCT_LABELS) {
    const product = labels[key];
    if (product === undefined) continue;
    const words = new Set(product.toUpperCase().split(/[-_ ]+/));
    const match = [...knownTypes].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).find((t) => words.has(t.toUpperCase()));
    if (match !== undefined) return match;
  }
  return undefined;
}

function cards(allocatable: Readonly<Record<string, string>> | undefined): number {
  for (const resource of GPU_RESOURCES) {
    const n = Number(allocatable?.[resource]);
    if (Number.isInteger(n) && n > 0) return n;
  }
  return 0;
}

export function capacityFromNodes(nodes: readonly unknown[], knownTypes: readonly string[]): CapacityDocument {
  const byType = new Map<string, number>();
  for (const raw of nodes) {
    const node = raw as NodeShape;
    if (node.spec?.unschedulable === true) continue;
    const type = nodeAcceleratorType(node.metadata?.labels ?? {}, knownTypes);
    const n = cards(node.status?.allocatable);
    if (type === undefined || n === 0) continue;
    byType.set(type, (byType.get(type) ?? 0) + n);
  }
  return { count: [...byType.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, count]) => ({ type, count })) };
}

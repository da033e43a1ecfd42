/**
 * What a pod asks of a GPU node, read from its spec: how many GPUs, of which products, and its job
 * type (the learning key). Pure: the pod arrives as JSON from the scheduler or an informer.
 */

export const GPU_RESOURCE = "nvidia.com/gpu";
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
export const JOB_TYPE_LABEL = "gpu-steward.io/job-type";

interface ResourceRequirements {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}
interface ContainerLike {
  resources?: ResourceRequirements;
}
interface NodeSelectorTerm {
  matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }>;
}
export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string> };
  spec?: {
    containers?: ContainerLike[];
    initContainers?: ContainerLike[];
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
  };
}

export interface GpuRequest {
  gpus: number;
  /** GPU products the pod accepts; undefined = any. */
  products?: readonly string[];
  jobType?: string;
}

/** A whole-number count from a resource quantity ("2", 2); extended resources take no fractions. */
function count(value: unknown): number {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : 0;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Extended resources: the request is the limit when only the limit is set (requests must equal limits). */
function containerGpus(c: ContainerLike, resource: string): number {
  const r = c.resources;
  return count(r?.requests?.[resource] ?? r?.limits?.[resource]);
}

/** As the scheduler counts it: max(sum over containers, largest init container). */
export function podGpus(pod: PodLike, resource = GPU_RESOURCE): number {
  const spec = pod.spec ?? {};
  const sum = (spec.containers ?? []).reduce((n, c) => n + containerGpus(c, resource), 0);
  const init = (spec.initContainers ?? []).reduce((n, c) => Math.max(n, containerGpus(c, resource)), 0);
  return Math.max(sum, init);
}

/**
 * Products the pod accepts: the nodeSelector value, narrowed by required node-affinity `In` terms on
 * the product label. Terms are ORed by the scheduler, so only a single term narrows reliably.
 */
export function acceptedProducts(pod: PodLike): readonly string[] | undefined {
  const spec = pod.spec ?? {};
  let products: string[] | undefined = spec.nodeSelector?.[GPU_PRODUCT_LABEL] !== undefined ? [spec.nodeSelector[GPU_PRODUCT_LABEL]!] : undefined;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 1) {
    for (const e of terms[0]!.matchExpressions ?? []) {
      if (e.key !== GPU_PRODUCT_LABEL || e.operator !== "In" || !e.values) continue;
      products = products ? products.filter((p) => e.values!.includes(p)) : [...e.values];
    }
  }
  return products;
}

export function gpuRequestOf(pod: PodLike, resource = GPU_RESOURCE): GpuRequest {
  const products = acceptedProducts(pod);
  const jobType = pod.metadata?.labels?.[JOB_TYPE_LABEL];
  return { gpus: podGpus(pod, resource), ...(products && { products }), ...(jobType && { jobType }) };
}

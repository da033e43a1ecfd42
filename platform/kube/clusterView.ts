/**
 * The cluster as placement sees it: GPU nodes with what they can hold, and the GPU pods bound to
 * them. Fed by Node and Pod events (an informer in cluster mode, the tests directly); read by the
 * extender and the webhook on every request, so reads are O(1) per node and never touch the API.
 *
 * Usage is kept per node name, apart from the node itself, because a pod's event can arrive before
 * its node's. A pod counts while it is bound (`spec.nodeName`) and not terminal (Succeeded/Failed),
 * which is how the scheduler's own NodeInfo accounts requests.
 */
import { GPU_PRODUCT_LABEL, GPU_RESOURCE, JOB_TYPE_LABEL, podGpus, type NodeCapacity, type PodLike } from "../../core/placement/index.js";

export const POOL_LABEL = "gpu-steward.io/pool";

export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { allocatable?: Record<string, string | number> };
}

export interface PodObject extends PodLike {
  spec?: PodLike["spec"] & { nodeName?: string };
  status?: { phase?: string };
}

interface NodeEntry {
  name: string;
  product?: string;
  pool?: string;
  allocatableGpus: number;
}

interface Usage {
  usedGpus: number;
  jobTypes: Map<string, number>;
}

interface PodEntry {
  nodeName: string;
  gpus: number;
  jobType?: string;
}

const TERMINAL = new Set(["Succeeded", "Failed"]);

function wholeCount(v: string | number | undefined): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function readNode(node: NodeObject, resource: string): NodeEntry | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const labels = node.metadata?.labels ?? {};
  return {
    name,
    allocatableGpus: wholeCount(node.status?.allocatable?.[resource]),
    ...(labels[GPU_PRODUCT_LABEL] !== undefined && { product: labels[GPU_PRODUCT_LABEL] }),
    ...(labels[POOL_LABEL] !== undefined && { pool: labels[POOL_LABEL] }),
  };
}

/** Identity of a pod across events: the uid, or namespace/name for objects without one (tests, dry runs). */
export function podKey(pod: PodObject): string | undefined {
  const m = pod.metadata;
  return m?.uid ?? (m?.name !== undefined ? `${m.namespace ?? "default"}/${m.name}` : undefined);
}

export class ClusterView {
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly usage = new Map<string, Usage>();
  private readonly pods = new Map<string, PodEntry>();

  constructor(private readonly resource: string = GPU_RESOURCE) {}

  get nodeCount(): number {
    return this.nodes.size;
  }

  upsertNode(node: NodeObject): void {
    const entry = readNode(node, this.resource);
    if (entry) this.nodes.set(entry.name, entry);
  }

  deleteNode(name: string): void {
    this.nodes.delete(name);
  }

  upsertPod(pod: PodObject): void {
    const key = podKey(pod);
    if (key === undefined) return;
    this.release(key);
    const nodeName = pod.spec?.nodeName;
    const gpus = podGpus(pod, this.resource);
    if (!nodeName || gpus === 0 || TERMINAL.has(pod.status?.phase ?? "")) return;
    const jobType = pod.metadata?.labels?.[JOB_TYPE_LABEL];
    const entry: PodEntry = { nodeName, gpus, ...(jobType !== undefined && { jobType }) };
    this.pods.set(key, entry);
    const usage = this.usageOf(nodeName);
    usage.usedGpus += gpus;
    if (jobType !== undefined) usage.jobTypes.set(jobType, (usage.jobTypes.get(jobType) ?? 0) + 1);
  }

  deletePod(pod: PodObject): void {
    const key = podKey(pod);
    if (key !== undefined) this.release(key);
  }

  /** What placement needs of one node; undefined when the view does not know it. */
  capacity(name: string): NodeCapacity | undefined {
    const node = this.nodes.get(name);
    if (!node) return undefined;
    const usage = this.usage.get(name);
    return {
      name,
      allocatableGpus: node.allocatableGpus,
      usedGpus: usage?.usedGpus ?? 0,
      jobTypes: usage?.jobTypes ?? new Map(),
      ...(node.product !== undefined && { product: node.product }),
      ...(node.pool !== undefined && { pool: node.pool }),
    };
  }

  /** GPU products of the nodes that have GPUs, sorted (for choosing a GPU type). */
  gpuProducts(): string[] {
    const products = new Set<string>();
    for (const node of this.nodes.values()) if (node.allocatableGpus > 0 && node.product !== undefined) products.add(node.product);
    return [...products].sort();
  }

  private usageOf(nodeName: string): Usage {
    let usage = this.usage.get(nodeName);
    if (!usage) this.usage.set(nodeName, (usage = { usedGpus: 0, jobTypes: new Map() }));
    return usage;
  }

  private release(key: string): void {
    const entry = this.pods.get(key);
    if (!entry) return;
    this.pods.delete(key);
    const usage = this.usage.get(entry.nodeName);
    if (!usage) return;
    usage.usedGpus -= entry.gpus;
    if (entry.jobType !== undefined) {
      const left = (usage.jobTypes.get(entry.jobType) ?? 1) - 1;
      if (left > 0) usage.jobTypes.set(entry.jobType, left);
      else usage.jobTypes.delete(entry.jobType);
    }
    if (usage.usedGpus <= 0 && usage.jobTypes.size === 0) this.usage.delete(entry.nodeName);
  }
}

/** A node from an ExtenderArgs `Nodes` list (nodeCacheCapable=false), when the view does not know it: nothing used. */
export function capacityFromNodeObject(node: NodeObject, resource: string = GPU_RESOURCE): NodeCapacity | undefined {
  const entry = readNode(node, resource);
  return entry && { ...entry, usedGpus: 0, jobTypes: new Map() };
}

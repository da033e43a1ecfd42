/**
 * The cluster as placement sees it: GPU nodes with what they can hold, and the GPU pods bound to
 * them. Fed by Node and Pod events (an informer in cluster mode, the tests directly); read by the
 * extender and the webhook on every request, so reads are O(1) per node and never touch the API.
 *
 * Usage is kept per node name, apart from the node itself, because a pod's event can arrive before
 * its node's. A pod counts while it is bound (`spec.nodeName`) and not terminal (Succeeded/Failed),
 * which is how the scheduler's own NodeInfo accounts requests.
 */
import { fitKeyOf, GPU_PRODUCT_LABEL, GPU_RESOURCE, JOB_TYPE_LABEL, podGpus, type NodeCapacity, type NodeTopology, type PodLike } from "../../core/placement/index.js";
import { buildLinkGraph, type LinkGraph, type TopologyReport } from "../../core/topology/index.js";
import { TRAINING_JOB_NAME_LABEL, TRAINING_REPLICA_TYPE_LABEL, type JobPod } from "../../core/learning/index.js";

export const POOL_LABEL = "gpu-steward.io/pool";

export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { allocatable?: Record<string, string | number> };
}

export interface PodObject extends PodLike {
  spec?: PodLike["spec"] & { nodeName?: string };
  status?: { phase?: string; startTime?: string };
}

/** A GPU pod on a node of a credit pool, for the spend ledger. */
export interface PoolPod {
  /** podKey: the uid. */
  key: string;
  gpus: number;
  /** `status.startTime`, epoch ms; undefined until the kubelet reports it. */
  startMs: number | undefined;
}

/** Node and usage in one mutable record; `capacity()` hands it out read-only, so reads allocate nothing. */
interface NodeEntry {
  name: string;
  product: string | undefined;
  pool: string | undefined;
  allocatableGpus: number;
  usedGpus: number;
  jobTypes: Map<string, number>;
  jobTypesKey: string;
  fitKey: string;
  topology: NodeTopology | undefined;
}

type NodeFacts = { name: string; product?: string; pool?: string; allocatableGpus: number };

interface PodEntry {
  nodeName: string;
  gpus: number;
  jobType?: string;
  /** `namespace/job-name` of the training job the pod belongs to, for `podsOfJob`. */
  job: string | undefined;
  replicaType: string | undefined;
  startMs: number | undefined;
}

const EMPTY_FIT_KEY = fitKeyOf({ allocatableGpus: 0, usedGpus: 0 });

const TERMINAL = new Set(["Succeeded", "Failed"]);

/**
 * One string object per distinct key text (fit keys, job-type sets). Placement compares thousands of
 * nodes' keys per call (Map lookups, class checks); equal keys that are one object match on a pointer
 * compare, without reading their text. Bounded: past `max` distinct texts it starts over (keys stay
 * equal by content then, only slower to match).
 */
class SharedKeys {
  private keys = new Map<string, string>();

  constructor(private readonly max: number) {}

  of(key: string): string {
    const shared = this.keys.get(key);
    if (shared !== undefined) return shared;
    if (this.keys.size >= this.max) this.keys = new Map();
    this.keys.set(key, key);
    return key;
  }
}

const sharedKeys = new SharedKeys(100_000);

function wholeCount(v: string | number | undefined): number {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : 0;
  return Number.isFinite(n) && n > 0 ? n : 0;
}

function labelValue(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function readNode(node: NodeObject, resource: string): NodeFacts | undefined {
  const name = node.metadata?.name;
  if (!name) return undefined;
  const labels = node.metadata?.labels ?? {};
  return {
    name,
    allocatableGpus: wholeCount(node.status?.allocatable?.[resource]),
    // Nodes sent inside ExtenderArgs are not checked by the API server's schema here: only a non-empty string is a label value we use.
    ...(labelValue(labels[GPU_PRODUCT_LABEL]) !== undefined && { product: labelValue(labels[GPU_PRODUCT_LABEL])! }),
    ...(labelValue(labels[POOL_LABEL]) !== undefined && { pool: labelValue(labels[POOL_LABEL])! }),
  };
}

/** Canonical text of a job-type multiset: equal maps, equal keys (placement caches per key). */
export function jobTypesKey(jobTypes: ReadonlyMap<string, number>): string {
  if (jobTypes.size === 0) return "";
  return [...jobTypes].map(([t, n]) => `${t}=${n}`).sort().join("\u0000");
}

/** Identity of a pod across events: the uid, or namespace/name for objects without one (tests, dry runs). */
export function podKey(pod: PodObject): string | undefined {
  const m = pod.metadata;
  return m?.uid ?? (m?.name !== undefined ? `${m.namespace ?? "default"}/${m.name}` : undefined);
}

export class ClusterView {
  /** Every node name seen in a Node or a bound pod; `known` holds those whose Node object arrived (one lookup per read). */
  private readonly entries = new Map<string, NodeEntry>();
  private readonly known = new Map<string, NodeEntry>();
  private readonly pods = new Map<string, PodEntry>();
  private readonly graphs = new Map<string, LinkGraph>();
  /** Pod keys per training job (`namespace/job-name`), so the learner finds a job's pods without a scan. */
  private readonly jobPods = new Map<string, Set<string>>();

  /**
   * Changes whenever a node joins or leaves the view. A capacity handed out stays live (pods update
   * it in place) until this changes, so callers may keep name → capacity resolutions until then.
   */
  membership = 0;

  constructor(private readonly resource: string = GPU_RESOURCE) {}

  get nodeCount(): number {
    return this.known.size;
  }

  upsertNode(node: NodeObject): void {
    const facts = readNode(node, this.resource);
    if (!facts) return;
    const entry = this.entryOf(facts.name);
    if (!this.known.has(facts.name)) this.membership++;
    this.known.set(facts.name, entry);
    entry.allocatableGpus = facts.allocatableGpus;
    entry.product = facts.product;
    entry.pool = facts.pool;
    entry.fitKey = sharedKeys.of(fitKeyOf(entry));
  }

  deleteNode(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    // Its pods may still be reported (deleted after the node); keep their usage, forget the node.
    if (this.known.delete(name)) this.membership++;
    if (entry.usedGpus <= 0 && entry.jobTypes.size === 0) this.entries.delete(name);
  }

  upsertPod(pod: PodObject): void {
    const key = podKey(pod);
    if (key === undefined) return;
    this.release(key);
    const nodeName = pod.spec?.nodeName;
    const gpus = podGpus(pod, this.resource);
    if (!nodeName || gpus === 0 || TERMINAL.has(pod.status?.phase ?? "")) return;
    const labels = pod.metadata?.labels;
    const jobType = labels?.[JOB_TYPE_LABEL];
    const jobName = labels?.[TRAINING_JOB_NAME_LABEL];
    const job = jobName === undefined ? undefined : jobKey(pod.metadata?.namespace ?? "default", jobName);
    this.pods.set(key, { nodeName, gpus, ...(jobType !== undefined && { jobType }), job, replicaType: labels?.[TRAINING_REPLICA_TYPE_LABEL], startMs: startMsOf(pod) });
    if (job !== undefined) {
      let keys = this.jobPods.get(job);
      if (!keys) this.jobPods.set(job, (keys = new Set()));
      keys.add(key);
    }
    const entry = this.entryOf(nodeName);
    entry.usedGpus += gpus;
    entry.fitKey = sharedKeys.of(fitKeyOf(entry));
    if (jobType !== undefined) {
      entry.jobTypes.set(jobType, (entry.jobTypes.get(jobType) ?? 0) + 1);
      entry.jobTypesKey = sharedKeys.of(jobTypesKey(entry.jobTypes));
    }
  }

  /**
   * The node's topology and the GPU indices its pods hold, as its NodeReport says; undefined clears
   * it (neutral topology score). Graphs are built once per distinct link layout and shared.
   */
  setTopology(name: string, report: TopologyReport | undefined, allocated: readonly number[] = []): void {
    const entry = this.entryOf(name);
    if (!report) {
      entry.topology = undefined;
      return;
    }
    const graphKey = JSON.stringify([report.links, report.gpus.map((g) => g.numaNode), report.numaNodes ?? null]);
    let graph = this.graphs.get(graphKey);
    if (!graph) this.graphs.set(graphKey, (graph = buildLinkGraph(report)));
    const sorted = [...new Set(allocated)].sort((a, b) => a - b);
    entry.topology = { graph, graphKey, allocated: sorted, allocatedKey: sorted.join(",") };
  }

  deletePod(pod: PodObject): void {
    const key = podKey(pod);
    if (key !== undefined) this.release(key);
  }

  /** What placement needs of one node (live, do not keep it); undefined when the view has no Node for it. */
  capacity(name: string): NodeCapacity | undefined {
    return this.known.get(name);
  }

  /** GPU products of the nodes that have GPUs, sorted (for choosing a GPU type). */
  gpuProducts(): string[] {
    const products = new Set<string>();
    for (const e of this.known.values()) if (e.allocatableGpus > 0 && e.product !== undefined) products.add(e.product);
    return [...products].sort();
  }

  /** The bound, non-terminal GPU pods of a training job (pods labelled `training.kubeflow.org/job-name`). */
  podsOfJob(namespace: string, jobName: string): JobPod[] {
    const pods: JobPod[] = [];
    for (const key of this.jobPods.get(jobKey(namespace, jobName)) ?? []) {
      const pod = this.pods.get(key);
      if (pod) pods.push({ nodeName: pod.nodeName, jobType: pod.jobType, replicaType: pod.replicaType });
    }
    return pods;
  }

  /** The bound, non-terminal GPU pods on nodes labelled `gpu-steward.io/pool=<pool>`. O(pods). */
  poolPods(pool: string): PoolPod[] {
    const found: PoolPod[] = [];
    for (const [key, pod] of this.pods) {
      if (this.known.get(pod.nodeName)?.pool === pool) found.push({ key, gpus: pod.gpus, startMs: pod.startMs });
    }
    return found;
  }

  private entryOf(name: string): NodeEntry {
    let entry = this.entries.get(name);
    // Every entry has every field from the start: one hidden class, so the per-node reads in
    // filter and prioritize stay monomorphic across thousands of nodes.
    if (!entry) this.entries.set(name, (entry = { name, product: undefined, pool: undefined, allocatableGpus: 0, usedGpus: 0, jobTypes: new Map(), jobTypesKey: "", fitKey: EMPTY_FIT_KEY, topology: undefined }));
    return entry;
  }

  private release(key: string): void {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.pods.delete(key);
    if (pod.job !== undefined) {
      const keys = this.jobPods.get(pod.job);
      keys?.delete(key);
      if (keys?.size === 0) this.jobPods.delete(pod.job);
    }
    const entry = this.entries.get(pod.nodeName);
    if (!entry) return;
    entry.usedGpus -= pod.gpus;
    entry.fitKey = sharedKeys.of(fitKeyOf(entry));
    if (pod.jobType !== undefined) {
      const left = (entry.jobTypes.get(pod.jobType) ?? 1) - 1;
      if (left > 0) entry.jobTypes.set(pod.jobType, left);
      else entry.jobTypes.delete(pod.jobType);
      entry.jobTypesKey = sharedKeys.of(jobTypesKey(entry.jobTypes));
    }
    if (!this.known.has(pod.nodeName) && entry.usedGpus <= 0 && entry.jobTypes.size === 0) this.entries.delete(pod.nodeName);
  }
}

function startMsOf(pod: PodObject): number | undefined {
  const at = pod.status?.startTime;
  const ms = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isFinite(ms) ? ms : undefined;
}

function jobKey(namespace: string, jobName: string): string {
  return `${namespace}/${jobName}`;
}

/** A node from an ExtenderArgs `Nodes` list (nodeCacheCapable=false), when the view does not know it: nothing used. */
export function capacityFromNodeObject(node: NodeObject, resource: string = GPU_RESOURCE): NodeCapacity | undefined {
  const facts = readNode(node, resource);
  return facts && { name: facts.name, product: facts.product, pool: facts.pool, allocatableGpus: facts.allocatableGpus, usedGpus: 0, jobTypes: new Map(), jobTypesKey: "", fitKey: fitKeyOf({ ...facts, usedGpus: 0 }), topology: undefined };
}

/**
 * Filter and prioritize for one ExtenderArgs: resolves the candidate nodes through the cluster view,
 * asks core/placement whether each fits and how the four components rank it. No HTTP here.
 */
import { checkFit, gpuRequestOf, type Fit, NEUTRAL_COMPONENT, NEUTRAL_COMPONENTS, nodeScore, scoreOf, type Components, type GpuRequest, type NodeCapacity, type Weights } from "../core/placement/index.js";
import { capacityFromNodeObject, type ClusterView, type NodeObject, type PodObject } from "../platform/kube/clusterView.js";
import type { NodeResolver } from "./nodeResolver.js";
import type { ExtenderArgs, HostPriority } from "./wire.js";

/** Where spend routing sends this pod. */
export interface SpendRoute {
  /** The credit pool's `gpu-steward.io/pool` value. */
  pool: string;
  /** The pod's hash falls inside the current routing percentage. */
  toPool: boolean;
  /** The month's target is reached: the pool takes no new pods. */
  closed: boolean;
}

/** The learned and measured parts of a node's score, each in [0,1]; 0.5 when there is nothing to say. */
export interface PlacementScorers {
  /** Per GPU product: how well this job type is expected to run there (learned runtime, exploration). */
  runtime(jobType: string | undefined, products: readonly string[]): ReadonlyMap<string, number>;
  /** 1 = no expected slowdown from the job types already on the node. */
  interference(jobType: string | undefined, neighbours: ReadonlyMap<string, number>): number;
  /** Quality of the best free GPU subset of this size on the node (NVLink, PCIe, NUMA). */
  topology(node: NodeCapacity, gpus: number): number;
  /** Undefined when spend routing is off. */
  spend(pod: PodObject): SpendRoute | undefined;
}

export interface ScoredNode {
  node: string;
  score: number;
  components: Components;
}

export interface Placement {
  view: ClusterView;
  scorers: PlacementScorers;
  weights: Weights;
  resource?: string;
  /** Resolves NodeNames faster than one Map lookup each (see nodeResolver.ts); optional. */
  resolver?: NodeResolver;
}

interface Candidate {
  name: string;
  capacity: NodeCapacity | undefined;
  object?: NodeObject;
}

function candidates(args: ExtenderArgs, p: Placement): Candidate[] {
  if (args.nodeNames) {
    const names = args.nodeNames;
    const caps = p.resolver ? p.resolver.resolve(names) : names.map((name) => p.view.capacity(name));
    return names.map((name, i) => ({ name, capacity: caps[i] }));
  }
  // nodeCacheCapable=false: the request carries the nodes; what the view knows of their pods still counts.
  return (args.nodes ?? []).map((object) => {
    const name = object.metadata!.name!;
    return { name, capacity: p.view.capacity(name) ?? capacityFromNodeObject(object, p.resource), object };
  });
}

const NOT_IN_VIEW = "gpu-steward: node not in the cluster view";

/** What /filter decided, in request order; encoded by wire.ts. */
export interface FilterOutcome {
  /** nodeCacheCapable: names; otherwise the Node objects to send back. */
  mode: "names" | "nodes";
  passed: Array<{ name: string; object?: NodeObject }>;
  failed: Array<[node: string, reason: string]>;
  unresolvable: Array<[node: string, reason: string]>;
}

export function filter(args: ExtenderArgs, p: Placement): FilterOutcome {
  const request = gpuRequestOf(args.pod, p.resource);
  const route = request.gpus > 0 ? p.scorers.spend(args.pod) : undefined;
  const poolClosed = route?.closed ? route.pool : undefined;
  const fitOptions = poolClosed !== undefined ? { poolClosed } : {};
  const outcome: FilterOutcome = { mode: args.nodeNames ? "names" : "nodes", passed: [], failed: [], unresolvable: [] };
  // The answer depends on few node facts; thousands of nodes share a few dozen combinations, and
  // sharing the Fit also shares its reason string (escaped once by the encoder).
  const fits = new Map<string, Fit>();
  for (const c of candidates(args, p)) {
    if (request.gpus === 0) {
      outcome.passed.push(c);
      continue;
    }
    if (!c.capacity) {
      outcome.unresolvable.push([c.name, NOT_IN_VIEW]);
      continue;
    }
    let fit = fits.get(c.capacity.fitKey);
    if (fit === undefined) fits.set(c.capacity.fitKey, (fit = checkFit(c.capacity, request, fitOptions)));
    if (fit.fits) outcome.passed.push(c);
    else outcome.failed.push([c.name, fit.reason]);
  }
  return outcome;
}

/** Every candidate passes: after an internal error, the extender must not block scheduling. */
export function passEveryNode(args: ExtenderArgs): FilterOutcome {
  const passed = args.nodeNames ? args.nodeNames.map((name) => ({ name })) : (args.nodes ?? []).map((object) => ({ name: object.metadata!.name!, object }));
  return { mode: args.nodeNames ? "names" : "nodes", passed, failed: [], unresolvable: [] };
}

/** Every candidate, neutral: for pods that ask no GPU, and after an internal error. */
export function neutralPriorities(args: ExtenderArgs, weights: Weights): HostPriority[] {
  const score = nodeScore(NEUTRAL_COMPONENTS, weights);
  const names = args.nodeNames ?? (args.nodes ?? []).map((n) => n.metadata!.name!);
  return names.map((Host) => ({ Host, Score: score }));
}

/** /prioritize's answer in request order, plus the best nodes with their components for the decision record. */
export interface Priorities {
  request: GpuRequest;
  hosts: string[];
  scores: number[];
  best: ScoredNode[];
}

/**
 * Scores every candidate. The loop allocates nothing per node (thousands per call): components are
 * rebuilt only for the `keep` best nodes the decision record shows.
 */
export function prioritize(args: ExtenderArgs, p: Placement, keep = 20): Priorities {
  const request = gpuRequestOf(args.pod, p.resource);
  const list = candidates(args, p);
  const hosts = list.map((c) => c.name);
  if (request.gpus === 0) {
    const neutral = nodeScore(NEUTRAL_COMPONENTS, p.weights);
    return { request, hosts, scores: hosts.map(() => neutral), best: [] };
  }
  const products = [...new Set(list.flatMap((c) => (c.capacity?.product !== undefined ? [c.capacity.product] : [])))].sort();
  const runtime = p.scorers.runtime(request.jobType, products);
  const route = p.scorers.spend(args.pod);
  // Nodes sharing a set of neighbours share an interference answer; thousands of nodes have few sets.
  const interferenceBySet = new Map<string, number>();
  const components = (cap: NodeCapacity): Components => {
    let interference = interferenceBySet.get(cap.jobTypesKey);
    if (interference === undefined) interferenceBySet.set(cap.jobTypesKey, (interference = p.scorers.interference(request.jobType, cap.jobTypes)));
    return {
      runtime: cap.product !== undefined ? (runtime.get(cap.product) ?? NEUTRAL_COMPONENT) : NEUTRAL_COMPONENT,
      interference,
      topology: p.scorers.topology(cap, request.gpus),
      spend: spendComponent(cap, route),
    };
  };
  const w = p.weights;
  const neutral = nodeScore(NEUTRAL_COMPONENTS, w);
  const scores = new Array<number>(list.length);
  const top = new TopIndices(keep, (a, b) => scores[a]! > scores[b]! || (scores[a] === scores[b] && hosts[a]! < hosts[b]!));
  for (let i = 0; i < list.length; i++) {
    const cap = list[i]!.capacity;
    if (!cap) {
      scores[i] = neutral;
    } else {
      let interference = interferenceBySet.get(cap.jobTypesKey);
      if (interference === undefined) interferenceBySet.set(cap.jobTypesKey, (interference = p.scorers.interference(request.jobType, cap.jobTypes)));
      const rt = cap.product !== undefined ? (runtime.get(cap.product) ?? NEUTRAL_COMPONENT) : NEUTRAL_COMPONENT;
      scores[i] = scoreOf(rt, interference, p.scorers.topology(cap, request.gpus), spendComponent(cap, route), w);
    }
    top.offer(i);
  }
  const best = top.indices().map((i) => {
    const cap = list[i]!.capacity;
    return { node: hosts[i]!, score: scores[i]!, components: cap ? components(cap) : NEUTRAL_COMPONENTS };
  });
  return { request, hosts, scores, best };
}

/** The `n` best indices under `better`, kept sorted; a candidate worse than the worst kept costs one comparison. */
class TopIndices {
  private readonly kept: number[] = [];

  constructor(
    private readonly n: number,
    private readonly better: (a: number, b: number) => boolean,
  ) {}

  offer(i: number): void {
    const kept = this.kept;
    if (this.n <= 0) return;
    if (kept.length === this.n) {
      if (!this.better(i, kept[kept.length - 1]!)) return;
      kept.pop();
    }
    let at = kept.length;
    while (at > 0 && this.better(i, kept[at - 1]!)) at--;
    kept.splice(at, 0, i);
  }

  indices(): number[] {
    return this.kept;
  }
}

/** Routed pods: pool nodes on top, others at the bottom; the reverse for pods not routed. */
function spendComponent(node: NodeCapacity, route: SpendRoute | undefined): number {
  if (!route) return NEUTRAL_COMPONENT;
  const inPool = node.pool === route.pool;
  if (route.closed) return inPool ? 0 : 1;
  return inPool === route.toPool ? 1 : 0;
}

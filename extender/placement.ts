/**
 * Filter and prioritize for one ExtenderArgs: resolves the candidate nodes through the cluster view,
 * asks core/placement whether each fits and how the four components rank it. No HTTP here.
 */
import { checkFit, gpuRequestOf, NEUTRAL_COMPONENT, NEUTRAL_COMPONENTS, nodeScore, type Components, type GpuRequest, type NodeCapacity, type Weights } from "../core/placement/index.js";
import { capacityFromNodeObject, type ClusterView, type NodeObject, type PodObject } from "../platform/kube/clusterView.js";
import type { ExtenderArgs, ExtenderFilterResult, HostPriority } from "./wire.js";

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
}

interface Candidate {
  name: string;
  capacity: NodeCapacity | undefined;
  object?: NodeObject;
}

function candidates(args: ExtenderArgs, p: Placement): Candidate[] {
  if (args.nodeNames) return args.nodeNames.map((name) => ({ name, capacity: p.view.capacity(name) }));
  // nodeCacheCapable=false: the request carries the nodes; what the view knows of their pods still counts.
  return (args.nodes ?? []).map((object) => {
    const name = object.metadata!.name!;
    return { name, capacity: p.view.capacity(name) ?? capacityFromNodeObject(object, p.resource), object };
  });
}

export function filter(args: ExtenderArgs, p: Placement): ExtenderFilterResult {
  const request = gpuRequestOf(args.pod, p.resource);
  const route = request.gpus > 0 ? p.scorers.spend(args.pod) : undefined;
  const poolClosed = route?.closed ? route.pool : undefined;
  const passed: Candidate[] = [];
  const failed: Record<string, string> = {};
  const unresolvable: Record<string, string> = {};
  for (const c of candidates(args, p)) {
    if (request.gpus === 0) {
      passed.push(c);
      continue;
    }
    if (!c.capacity) {
      unresolvable[c.name] = "gpu-steward: node not in the cluster view";
      continue;
    }
    const fit = checkFit(c.capacity, request, poolClosed !== undefined ? { poolClosed } : {});
    if (fit.fits) passed.push(c);
    else failed[c.name] = fit.reason;
  }
  return {
    Nodes: args.nodeNames ? null : { metadata: {}, items: passed.map((c) => c.object!) },
    NodeNames: args.nodeNames ? passed.map((c) => c.name) : null,
    FailedNodes: failed,
    FailedAndUnresolvableNodes: unresolvable,
    Error: "",
  };
}

/** Every candidate, neutral: for pods that ask no GPU, and after an internal error. */
export function neutralPriorities(args: ExtenderArgs, weights: Weights): HostPriority[] {
  const score = nodeScore(NEUTRAL_COMPONENTS, weights);
  const names = args.nodeNames ?? (args.nodes ?? []).map((n) => n.metadata!.name!);
  return names.map((Host) => ({ Host, Score: score }));
}

export function prioritize(args: ExtenderArgs, p: Placement): { priorities: HostPriority[]; scored: ScoredNode[]; request: GpuRequest } {
  const request = gpuRequestOf(args.pod, p.resource);
  if (request.gpus === 0) {
    const priorities = neutralPriorities(args, p.weights);
    return { priorities, scored: priorities.map((h) => ({ node: h.Host, score: h.Score, components: NEUTRAL_COMPONENTS })), request };
  }
  const list = candidates(args, p);
  const products = [...new Set(list.flatMap((c) => (c.capacity?.product !== undefined ? [c.capacity.product] : [])))].sort();
  const runtime = p.scorers.runtime(request.jobType, products);
  const route = p.scorers.spend(args.pod);
  // Nodes sharing a set of neighbours share an interference answer; thousands of nodes have few sets.
  const interferenceBySet = new Map<string, number>();
  const scored: ScoredNode[] = list.map((c) => {
    if (!c.capacity) return { node: c.name, score: nodeScore(NEUTRAL_COMPONENTS, p.weights), components: NEUTRAL_COMPONENTS };
    const cap = c.capacity;
    const setKey = [...cap.jobTypes].map(([t, n]) => `${t}=${n}`).sort().join("\u0000");
    let interference = interferenceBySet.get(setKey);
    if (interference === undefined) interferenceBySet.set(setKey, (interference = p.scorers.interference(request.jobType, cap.jobTypes)));
    const components: Components = {
      runtime: cap.product !== undefined ? (runtime.get(cap.product) ?? NEUTRAL_COMPONENT) : NEUTRAL_COMPONENT,
      interference,
      topology: p.scorers.topology(cap, request.gpus),
      spend: spendComponent(cap, route),
    };
    return { node: c.name, score: nodeScore(components, p.weights), components };
  });
  return { priorities: scored.map((s) => ({ Host: s.node, Score: s.score })), scored, request };
}

/** Routed pods: pool nodes on top, others at the bottom; the reverse for pods not routed. */
function spendComponent(node: NodeCapacity, route: SpendRoute | undefined): number {
  if (!route) return NEUTRAL_COMPONENT;
  const inPool = node.pool === route.pool;
  if (route.closed) return inPool ? 0 : 1;
  return inPool === route.toPool ? 1 : 0;
}

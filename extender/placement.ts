/**
 * Filter and prioritize for one ExtenderArgs: resolves the candidate nodes through the cluster view,
 * asks core/placement whether each fits and how the four components rank it. No HTTP here.
 */
import { checkFit, gpuRequestOf, NEUTRAL_COMPONENT, NEUTRAL_COMPONENTS, nodeScore, scoreOf, type Components, type GpuRequest, type NodeCapacity, type Weights } from "../core/placement/index.js";
import { capacityFromNodeObject, type ClusterView, type PodObject } from "../platform/kube/clusterView.js";
import { KnownNode, NodeClasses, type NodeResolver } from "./nodeResolver.js";
import { NamedNode, PASSED, type ExtenderArgs, type FilterOutcome, type HostPriority } from "./wire.js";

export type { FilterOutcome } from "./wire.js";

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
  /**
   * Quality of the best free GPU subset of this size on the node (NVLink, PCIe, NUMA). A function of
   * `node.topology` (links, GPUs taken) and `gpus`: prioritize asks once per class of nodes alike.
   */
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
  /** Resolves NodeNames faster than one Map lookup each, and keeps each node's JSON text (see nodeResolver.ts); optional. */
  resolver?: NodeResolver;
}

/** The candidates in request order, each with its capacity (undefined: the view does not know it). */
function candidates(args: ExtenderArgs, p: Placement): readonly KnownNode[] {
  if (args.nodeNames) return p.resolver ? p.resolver.resolve(args.nodeNames) : args.nodeNames.map((name) => new KnownNode(name, p.view.capacity(name)));
  // nodeCacheCapable=false: the request carries the nodes; what the view knows of their pods still counts.
  return (args.nodes ?? []).map((object) => {
    const name = object.metadata!.name!;
    return new KnownNode(name, p.view.capacity(name) ?? capacityFromNodeObject(object, p.resource));
  });
}

const NOT_IN_VIEW = "gpu-steward: node not in the cluster view";

/** The outcome for verdicts decided in request order. */
function outcomeOf(args: ExtenderArgs, nodes: readonly NamedNode[], verdicts: Int32Array, reasons: FilterOutcome["reasons"]): FilterOutcome {
  let failed = 0;
  let unresolvable = 0;
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i]!;
    if (v === PASSED) continue;
    if (reasons[v]!.unresolvable) unresolvable++;
    else failed++;
  }
  const mode = args.nodeNames ? "names" : "nodes";
  const passed = nodes.length - failed - unresolvable;
  return mode === "names" ? { mode, nodes, verdicts, reasons, passed, failed, unresolvable } : { mode, nodes, objects: args.nodes ?? [], verdicts, reasons, passed, failed, unresolvable };
}

export function filter(args: ExtenderArgs, p: Placement): FilterOutcome {
  const request = gpuRequestOf(args.pod, p.resource);
  const nodes = candidates(args, p);
  const verdicts = new Int32Array(nodes.length).fill(PASSED);
  const reasons: Array<{ text: string; unresolvable: boolean }> = [];
  if (request.gpus > 0) decideFits(nodes, request, p.scorers.spend(args.pod), verdicts, reasons);
  return outcomeOf(args, nodes, verdicts, reasons);
}

/**
 * Writes each node's verdict. It depends on few node facts: thousands of nodes share a few dozen fit
 * keys, so each key is decided once and every other node only looks its key up (the view keeps one
 * string per key, so the lookup compares pointers). Nodes failing for one key share one reason.
 */
function decideFits(nodes: readonly KnownNode[], request: GpuRequest, route: SpendRoute | undefined, verdicts: Int32Array, reasons: Array<{ text: string; unresolvable: boolean }>): void {
  const fitOptions = route?.closed ? { poolClosed: route.pool } : {};
  const verdictByFitKey = new Map<string, number>();
  let notInView = -1;
  for (let i = 0; i < nodes.length; i++) {
    const capacity = nodes[i]!.capacity;
    if (capacity === undefined) {
      if (notInView === -1) notInView = reasons.push({ text: NOT_IN_VIEW, unresolvable: true }) - 1;
      verdicts[i] = notInView;
      continue;
    }
    let verdict = verdictByFitKey.get(capacity.fitKey);
    if (verdict === undefined) {
      const fit = checkFit(capacity, request, fitOptions);
      verdict = fit.fits ? PASSED : reasons.push({ text: fit.reason, unresolvable: false }) - 1;
      verdictByFitKey.set(capacity.fitKey, verdict);
    }
    verdicts[i] = verdict;
  }
}

/** Class numbers for one call: the resolver's, kept on its records across calls, or fresh ones. */
function classesFor(p: Placement): NodeClasses {
  const classes = p.resolver?.classes ?? new NodeClasses();
  classes.startCall(p.view.nodeCount);
  return classes;
}

/** The request's nodes, named only: for the answers after an internal error (nothing resolved). */
function namedNodes(args: ExtenderArgs): NamedNode[] {
  return args.nodeNames ? args.nodeNames.map((name) => new NamedNode(name)) : (args.nodes ?? []).map((n) => new NamedNode(n.metadata!.name!));
}

/** Every candidate passes: after an internal error, the extender must not block scheduling. */
export function passEveryNode(args: ExtenderArgs): FilterOutcome {
  const nodes = namedNodes(args);
  return outcomeOf(args, nodes, new Int32Array(nodes.length).fill(PASSED), []);
}

/** Every candidate, neutral: for pods that ask no GPU, and after an internal error. */
export function neutralPriorities(args: ExtenderArgs, weights: Weights): HostPriority[] {
  const score = nodeScore(NEUTRAL_COMPONENTS, weights);
  return namedNodes(args).map((n) => ({ Host: n.name, Score: score }));
}

/** /prioritize's answer in request order, plus the best nodes with their components for the decision record. */
export interface Priorities {
  request: GpuRequest;
  nodes: readonly NamedNode[];
  scores: number[];
  best: ScoredNode[];
}

/**
 * Scores every candidate. A score depends on few node facts: the candidates are sorted into classes
 * (placementKeyOf), each class is scored once, and every node reads its class's score from an array.
 * Nothing is allocated per node (thousands per call): components are rebuilt only for the `keep` best
 * nodes the decision record shows.
 */
export function prioritize(args: ExtenderArgs, p: Placement, keep = 20): Priorities {
  const request = gpuRequestOf(args.pod, p.resource);
  const nodes = candidates(args, p);
  const neutral = nodeScore(NEUTRAL_COMPONENTS, p.weights);
  const scores = new Array<number>(nodes.length).fill(neutral);
  if (request.gpus === 0) return { request, nodes, scores, best: [] };
  const { classOf, classCount, products } = classify(nodes, classesFor(p));
  const runtime = p.scorers.runtime(request.jobType, products);
  const scoring = new PodScoring(request, p, runtime, p.scorers.spend(args.pod));
  const scoreByClass = new Float64Array(classCount).fill(Number.NaN);
  const top = new TopIndices(keep, (a, b) => scores[a]! > scores[b]! || (scores[a] === scores[b] && nodes[a]!.name < nodes[b]!.name));
  for (let i = 0; i < nodes.length; i++) {
    const c = classOf[i]!;
    if (c !== NOT_CLASSED) {
      let score = scoreByClass[c]!;
      if (Number.isNaN(score)) score = scoreByClass[c] = scoring.score(nodes[i]!.capacity!);
      scores[i] = score;
    }
    top.offer(i);
  }
  const best = top.indices().map((i) => {
    const capacity = nodes[i]!.capacity;
    return { node: nodes[i]!.name, score: scores[i]!, components: capacity ? scoring.components(capacity) : NEUTRAL_COMPONENTS };
  });
  return { request, nodes, scores, best };
}

/** The class of a node the view does not know. */
const NOT_CLASSED = -1;

/**
 * Each candidate's class number, how many numbers there may be, and the GPU products among the
 * candidates, sorted (the runtime scorer ranks them against each other), gathered once per class.
 */
function classify(nodes: readonly KnownNode[], classes: NodeClasses): { classOf: Int32Array; classCount: number; products: string[] } {
  const classOf = new Int32Array(nodes.length);
  // Each node adds at most one class during the call.
  const seen = new Uint8Array(classes.count + nodes.length);
  const products = new Set<string>();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const capacity = node.capacity;
    if (capacity === undefined) {
      classOf[i] = NOT_CLASSED;
      continue;
    }
    const c = (classOf[i] = classes.of(node, capacity));
    if (seen[c] === 0) {
      seen[c] = 1;
      if (capacity.product !== undefined) products.add(capacity.product);
    }
  }
  return { classOf, classCount: seen.length, products: [...products].sort() };
}

/**
 * One pod's view of the nodes' components. Interference depends on the set of neighbours alone, and
 * hundreds of classes share a few dozen sets: it is asked once per set.
 */
class PodScoring {
  private readonly interferenceBySet = new Map<string, number>();

  constructor(
    private readonly request: GpuRequest,
    private readonly p: Placement,
    /** Per GPU product (PlacementScorers.runtime). */
    private readonly runtime: ReadonlyMap<string, number>,
    private readonly route: SpendRoute | undefined,
  ) {}

  score(node: NodeCapacity): number {
    return scoreOf(this.runtimeOf(node), this.interferenceOf(node), this.p.scorers.topology(node, this.request.gpus), spendComponent(node, this.route), this.p.weights);
  }

  components(node: NodeCapacity): Components {
    return { runtime: this.runtimeOf(node), interference: this.interferenceOf(node), topology: this.p.scorers.topology(node, this.request.gpus), spend: spendComponent(node, this.route) };
  }

  private runtimeOf(node: NodeCapacity): number {
    return node.product !== undefined ? (this.runtime.get(node.product) ?? NEUTRAL_COMPONENT) : NEUTRAL_COMPONENT;
  }

  private interferenceOf(node: NodeCapacity): number {
    let interference = this.interferenceBySet.get(node.jobTypesKey);
    if (interference === undefined) this.interferenceBySet.set(node.jobTypesKey, (interference = this.p.scorers.interference(this.request.jobType, node.jobTypes)));
    return interference;
  }
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

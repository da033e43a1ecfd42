/**
 * The last placement scores per pod, for `GET /v1/decisions/{namespace}/{pod}`: "why did my pod land
 * there?". Bounded: the newest `maxPods` pods, and per pod the best `maxNodes` nodes (a 5,000-node
 * answer is not something to store or read). The optional sink persists them off the request path.
 */
import type { Components } from "../core/placement/index.js";

export interface NodeDecision {
  node: string;
  score: number;
  components: Components;
}

export interface PlacementDecision {
  namespace: string;
  pod: string;
  uid?: string;
  atMs: number;
  gpus: number;
  jobType?: string;
  /** Candidates scored; `nodes` holds the best of them. */
  candidates: number;
  nodes: NodeDecision[];
  weights: Record<string, number>;
}

/** Persistence for decisions (SQLite in the controller); writes may be batched. */
export interface DecisionSink {
  write(decision: PlacementDecision): void;
  read(namespace: string, pod: string): PlacementDecision | undefined;
}

export class PlacementDecisions {
  private readonly recent = new Map<string, PlacementDecision>();

  constructor(
    private readonly opts: { maxPods: number; maxNodes: number; sink?: DecisionSink } = { maxPods: 10_000, maxNodes: 20 },
  ) {}

  keep(decision: Omit<PlacementDecision, "nodes"> & { nodes: readonly NodeDecision[] }): PlacementDecision {
    const best = topNodes(decision.nodes, this.opts.maxNodes);
    const kept: PlacementDecision = { ...decision, nodes: best };
    const key = `${decision.namespace}/${decision.pod}`;
    this.recent.delete(key);
    this.recent.set(key, kept);
    if (this.recent.size > this.opts.maxPods) this.recent.delete(this.recent.keys().next().value!);
    this.opts.sink?.write(kept);
    return kept;
  }

  get(namespace: string, pod: string): PlacementDecision | undefined {
    return this.recent.get(`${namespace}/${pod}`) ?? this.opts.sink?.read(namespace, pod);
  }
}

/** The `n` best by score, ties by node name; a partial selection, not a sort of every node. */
export function topNodes(nodes: readonly NodeDecision[], n: number): NodeDecision[] {
  const better = (a: NodeDecision, b: NodeDecision) => a.score > b.score || (a.score === b.score && a.node < b.node);
  const best: NodeDecision[] = [];
  if (n <= 0) return best;
  for (const d of nodes) {
    if (best.length === n && !better(d, best[n - 1]!)) continue;
    let i = best.length < n ? best.length : n - 1;
    if (best.length < n) best.push(d);
    while (i > 0 && better(d, best[i - 1]!)) {
      best[i] = best[i - 1]!;
      i--;
    }
    best[i] = d;
  }
  return best;
}

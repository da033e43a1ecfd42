/**
 * PlacementScorers over the shared learned model (core/scoring), the nodes' topology, and the spend
 * routing state. One instance per controller process, shared with the webhook's GPU-type choice.
 */
import { NEUTRAL_COMPONENT, type NodeCapacity } from "../core/placement/index.js";
import type { ScoringModel } from "../core/scoring/index.js";
import { routesToPool } from "../core/spend/index.js";
import type { PodObject } from "../platform/kube/clusterView.js";
import type { PlacementScorers, SpendRoute } from "./placement.js";

/** The spend loop's latest decision, as the extender reads it. */
export interface SpendRouting {
  pool: string;
  routingPct: number;
  /** At or over the month's target. */
  closed: boolean;
}

export interface ModelScorersOptions {
  model: ScoringModel;
  /** Absent: topology is neutral for every node (no NodeReports yet). */
  topology?: (node: NodeCapacity, gpus: number) => number;
  /** The current routing, or undefined when spend routing is off or has not decided yet. */
  spendRouting?: () => SpendRouting | undefined;
}

/**
 * What the routing hash is taken of: the controlling owner's uid (the PyTorchJob of a worker pod), so
 * every pod of one gang-scheduled job goes the same way; the pod's own uid otherwise.
 */
export function routingIdentity(pod: PodObject): string | undefined {
  const owners = (pod.metadata as { ownerReferences?: Array<{ uid?: string; controller?: boolean }> } | undefined)?.ownerReferences;
  return owners?.find((o) => o.controller === true && o.uid)?.uid ?? pod.metadata?.uid;
}

const NO_SCORES: ReadonlyMap<string, number> = new Map();

export function modelScorers(opts: ModelScorersOptions): PlacementScorers {
  const { model } = opts;
  return {
    runtime(jobType, products) {
      // Without a job type there is nothing learned to go on; with one product there is nothing to rank.
      if (jobType === undefined || products.length === 0) return NO_SCORES;
      const decision = model.score({ jobType, candidateGpuTypes: products });
      return new Map(decision.candidates.map((c) => [c.gpuType, c.priorityScore / 100]));
    },
    interference(jobType, neighbours) {
      if (jobType === undefined || neighbours.size === 0) return jobType === undefined ? NEUTRAL_COMPONENT : 1;
      const colocated: string[] = [];
      for (const [type, count] of neighbours) for (let i = 0; i < count; i++) colocated.push(type);
      // The penalty is an expected fractional slowdown (0.2 = 20 % slower); 1/(1+p) keeps it in (0,1].
      return 1 / (1 + Math.max(0, model.interferencePenalty(jobType, colocated)));
    },
    topology: opts.topology ?? (() => NEUTRAL_COMPONENT),
    spend(pod: PodObject): SpendRoute | undefined {
      const routing = opts.spendRouting?.();
      const identity = routingIdentity(pod);
      if (!routing || identity === undefined) return undefined;
      return { pool: routing.pool, toPool: routesToPool(identity, routing.routingPct), closed: routing.closed };
    },
  };
}

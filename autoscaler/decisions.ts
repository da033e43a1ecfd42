/**
 * From the optimizer's plan to what the actuator writes on each Deployment, with the guards the
 * original lacks (spec §6.9): a replica floor, no scale-to-zero of a serving Deployment unless its
 * class allows it, a bound on the change per cycle, and no change at all for a server the plan left
 * out because it could not serve it (saturated or infeasible): scaling it to zero, as the original's
 * actuator would, turns a capacity shortage into an outage. Pure.
 */
import type { OptimizationResult, ServerStatus } from "../core/inference/index.js";
import type { ManagedServer } from "./collector.js";
import { LABEL_KEYS } from "./labels.js";

export interface ActuationPolicy {
  /** Largest replica change per Deployment per cycle; 0 = unbounded. */
  maxChange: number;
  /** Service classes whose servers may be scaled to zero when idle ("" counts as `Free`). */
  scaleToZeroClasses: readonly string[];
  /** Node label the pod template's nodeSelector uses for the accelerator type. */
  acceleratorNodeLabel: string;
}

export type Guard = "floor" | "keep-serving" | "max-change" | "held";

export interface Decision {
  server: ManagedServer;
  status: ServerStatus;
  currentReplicas: number;
  /** What the optimizer planned (undefined: the plan left the server out). */
  plannedReplicas: number | undefined;
  targetReplicas: number;
  /** Labels to write (only those that differ). */
  labels: Record<string, string>;
  /** Set when the accelerator type changes. */
  nodeSelector?: Record<string, string>;
  /** Guards that moved the target away from the plan. */
  guards: Guard[];
}

export function isNoop(d: Decision): boolean {
  return d.targetReplicas === d.currentReplicas && Object.keys(d.labels).length === 0 && d.nodeSelector === undefined;
}

export function decide(server: ManagedServer, result: OptimizationResult, acceleratorTypeOf: (name: string) => string | undefined, policy: ActuationPolicy): Decision {
  const doc = server.document;
  const current = doc.currentAlloc.numReplicas;
  const status = result.status[doc.name] ?? "infeasible";
  const planned = result.allocations[doc.name];
  const base = { server, status, currentReplicas: current, labels: {}, guards: [] as Guard[] };
  if (planned === undefined && status !== "allocated") return { ...base, plannedReplicas: undefined, targetReplicas: current, guards: ["held"] };

  // Absent from an allocated plan: an idle server without a floor, which the plan scales to zero.
  const plannedReplicas = planned?.numReplicas ?? 0;
  const guards: Guard[] = [];
  let target = plannedReplicas;
  if (policy.maxChange > 0 && Math.abs(target - current) > policy.maxChange) {
    target = current + Math.sign(target - current) * policy.maxChange;
    guards.push("max-change");
  }
  const floor = doc.minNumReplicas ?? 0;
  if (target < floor) {
    target = floor;
    guards.push("floor");
  }
  const serviceClass = doc.class === "" ? "Free" : doc.class;
  if (target === 0 && current > 0 && !policy.scaleToZeroClasses.includes(serviceClass)) {
    target = 1;
    guards.push("keep-serving");
  }

  const labels: Record<string, string> = {};
  let nodeSelector: Record<string, string> | undefined;
  if (planned !== undefined) {
    for (const family of server.families) {
      const keys = LABEL_KEYS[family];
      // Compared with what the Deployment carries in this family; the document holds the merged view.
      if (server.labels[keys.accelerator] !== planned.accelerator) labels[keys.accelerator] = planned.accelerator;
      if (server.labels[keys.maxBatch] !== String(planned.maxBatch)) labels[keys.maxBatch] = String(planned.maxBatch);
    }
    const from = doc.currentAlloc.accelerator === "" ? undefined : acceleratorTypeOf(doc.currentAlloc.accelerator);
    const to = acceleratorTypeOf(planned.accelerator);
    // Only a change of type moves pods: a first allocation must not pin pods to nodes nobody labelled.
    if (from !== undefined && to !== undefined && from !== to && server.nodeSelector[policy.acceleratorNodeLabel] !== to) {
      nodeSelector = { [policy.acceleratorNodeLabel]: to };
    }
  }
  return { ...base, plannedReplicas, targetReplicas: target, labels, ...(nodeSelector && { nodeSelector }), guards };
}

/**
 * Apply: for each decision, one merge patch for labels and node selector, then the scale subresource.
 * Each Deployment on its own: a failure is logged, counted, reported as a Warning Event, and the
 * next Deployment goes ahead. Dry run writes nothing (no patch, no Event) and logs what it would do.
 */
import type { DeploymentChange, Deployments, EventRecorder } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import { isNoop, type Decision } from "./decisions.js";

export type ActuationResult = "changed" | "unchanged" | "held" | "failed" | "dry-run";

export interface Actuation {
  decision: Decision;
  result: ActuationResult;
  error?: string;
}

export interface ActuatorDeps {
  deployments: Deployments;
  events: EventRecorder;
  log: Logger;
  dryRun: boolean;
}

/** `replicas 2→4 (planned 5; max-change), accelerator A100→H100, maxBatch 16→32`. */
export function describeDecision(d: Decision): string {
  const parts: string[] = [];
  const doc = d.server.document;
  if (d.targetReplicas !== d.currentReplicas || d.guards.length > 0) {
    const planned = d.plannedReplicas === undefined ? "not in plan" : `planned ${d.plannedReplicas}`;
    const guards = d.guards.length > 0 ? `; ${d.guards.join(", ")}` : "";
    parts.push(`replicas ${d.currentReplicas}→${d.targetReplicas} (${planned}${guards})`);
  }
  const accelerator = Object.entries(d.labels).find(([k]) => k.endsWith("accelerator"))?.[1];
  if (accelerator !== undefined) parts.push(`accelerator ${doc.currentAlloc.accelerator || "none"}→${accelerator}`);
  const maxBatch = Object.entries(d.labels).find(([k]) => k.endsWith("maxbatchsize") || k.endsWith("max-batch-size"))?.[1];
  if (maxBatch !== undefined) parts.push(`maxBatch ${doc.currentAlloc.maxBatch}→${maxBatch}`);
  if (d.nodeSelector !== undefined) parts.push(`nodeSelector ${Object.entries(d.nodeSelector).map(([k, v]) => `${k}=${v}`).join(",")}`);
  return parts.join(", ");
}

async function applyOne(d: Decision, deps: ActuatorDeps): Promise<Actuation> {
  const { namespace, deploymentName: name, uid, document } = d.server;
  const log = deps.log.child({ namespace, name, server: document.name });
  if (d.guards.includes("held")) {
    log.warn({ result: "held", reason: d.status }, "inference server left as it is");
    return { decision: d, result: "held" };
  }
  if (isNoop(d)) return { decision: d, result: "unchanged" };
  const message = describeDecision(d);
  if (deps.dryRun) {
    log.info({ dryRun: true, result: "dry-run", reason: message }, "inference allocation not applied (dry run)");
    return { decision: d, result: "dry-run" };
  }
  const regarding = { apiVersion: "apps/v1", kind: "Deployment", namespace, name, uid };
  try {
    const change: DeploymentChange = {
      ...(Object.keys(d.labels).length > 0 && { labels: d.labels }),
      ...(d.nodeSelector !== undefined && { nodeSelector: d.nodeSelector }),
    };
    if (change.labels !== undefined || change.nodeSelector !== undefined) await deps.deployments.change(namespace, name, change);
    if (d.targetReplicas !== d.currentReplicas) await deps.deployments.scale(namespace, name, d.targetReplicas);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    log.error({ err, result: "failed", code: "KUBE_API" }, "inference allocation not applied");
    await deps.events.record({ regarding, type: "Warning", reason: "InferenceAllocationFailed", message: `${message}: ${text}`, action: "Scale" });
    return { decision: d, result: "failed", error: text };
  }
  log.info({ result: "changed", reason: message }, "inference allocation applied");
  await deps.events.record({ regarding, type: "Normal", reason: "InferenceAllocationApplied", message, action: "Scale" });
  return { decision: d, result: "changed" };
}

/** One Deployment after another (a cycle touches tens of servers, and order keeps Events readable). */
export async function actuate(decisions: readonly Decision[], deps: ActuatorDeps): Promise<Actuation[]> {
  const out: Actuation[] = [];
  for (const d of decisions) out.push(await applyOne(d, deps));
  return out;
}

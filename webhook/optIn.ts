import type { WebhookConfig } from "./config.js";
import type { ObjectMeta } from "./mutators/shapes.js";

export type OptInDecision = { optedIn: true } | { optedIn: false; reason: "not-opted-in" | "already-sized" };

/**
 * A job is ours when it carries the watch label or lives in an opted-in namespace, and has not
 * been sized yet (the done label makes a second pass a no-op, e.g. under reinvocationPolicy IfNeeded).
 */
export function optInDecision(meta: ObjectMeta, namespace: string | undefined, config: WebhookConfig): OptInDecision {
  const labels = meta.labels ?? {};
  if (labels[config.doneLabel.key] === config.doneLabel.value) return { optedIn: false, reason: "already-sized" };
  if (labels[config.watchLabel.key] === config.watchLabel.value) return { optedIn: true };
  if (namespace !== undefined && config.namespaces.includes(namespace)) return { optedIn: true };
  return { optedIn: false, reason: "not-opted-in" };
}

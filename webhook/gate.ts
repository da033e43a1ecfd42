/**
 * The Kueue admission gate of the asynchronous ADO path (spec admission-autoconf.md §5.3, §5.4). At CREATE
 * the webhook adds our gate to `kueue.x-k8s.io/admission-gated-by` and labels the job pending; Kueue keeps
 * the Workload unadmitted (QuotaReserved=False, AdmissionGated) until the gate loop has sized the job and
 * removed the gate. Kueue accepts the annotation only at creation and afterwards only the removal of gates,
 * so the webhook is the one place to add it, and the loop only ever takes ours out.
 */
import type { WebhookConfig } from "./config.js";
import type { Mutator } from "./mutators/index.js";
import type { ObjectMeta } from "./mutators/shapes.js";
import { setAnnotation, setLabel } from "./sizing.js";

/** Kueue's AdmissionGatedByAnnotation: comma-separated gate names, each `<DNS subdomain>/<path>`. */
export const ADMISSION_GATED_BY = "kueue.x-k8s.io/admission-gated-by";
/** Kueue's QueueLabel: only jobs carrying it are held by Kueue, so only they can be gated. */
export const QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name";
/** Our gate name; also the key of the label the loop lists by. */
export const RIGHTSIZING_GATE = "gpu-steward.io/rightsizing";
export const RIGHTSIZING_LABEL = "gpu-steward.io/rightsizing";
export type RightsizingState = "pending" | "done";
export const PENDING_SELECTOR = `${RIGHTSIZING_LABEL}=pending`;

/**
 * Cluster mode only: set by the composition root when the gate loop runs (on the leader), so a gate the
 * webhook adds is one somebody removes. Absent (standalone): jobs are sized synchronously.
 */
export interface AdmissionGate {
  enabled: true;
}

/**
 * Whether this admission takes the asynchronous path. AppWrappers never do: their component templates
 * are immutable after CREATE, so a later resize could not be applied.
 */
export function takesGate(mutator: Mutator, meta: ObjectMeta, config: WebhookConfig, gate: AdmissionGate | undefined): boolean {
  if (!gate?.enabled || config.recommender !== "ado" || !config.adoAsyncGate) return false;
  if (mutator.kind !== "PyTorchJob") return false;
  const queue = meta.labels?.[QUEUE_NAME_LABEL];
  return typeof queue === "string" && queue !== "";
}

function gateNames(value: string | undefined): string[] {
  return (value ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "");
}

/** The annotation value with `gate` appended (unchanged when it is already listed). */
export function withGate(value: string | undefined, gate: string = RIGHTSIZING_GATE): string {
  if (value === undefined || value.trim() === "") return gate;
  if (gateNames(value).includes(gate)) return value;
  return `${value},${gate}`;
}

/**
 * The annotation value without `gate`, other entries kept as written; `undefined` when no gate is left
 * (the annotation is then removed).
 */
export function withoutGate(value: string | undefined, gate: string = RIGHTSIZING_GATE): string | undefined {
  const rest = (value ?? "").split(",").filter((g) => g.trim() !== gate && g.trim() !== "");
  return rest.length === 0 ? undefined : rest.join(",");
}

export function hasGate(value: string | undefined, gate: string = RIGHTSIZING_GATE): boolean {
  return gateNames(value).includes(gate);
}

/** The gated copy of an admitted object: our gate in the annotation, the pending label. Nothing else. */
export function gatedObject(object: unknown): Record<string, unknown> {
  const after = structuredClone(object) as Record<string, unknown>;
  const current = annotationOf(after, ADMISSION_GATED_BY);
  setAnnotation(after, ADMISSION_GATED_BY, withGate(current));
  setLabel(after, RIGHTSIZING_LABEL, "pending" satisfies RightsizingState);
  return after;
}

/** Takes our gate out of a (cloned) object's annotations and marks it done. */
export function releaseGate(object: Record<string, unknown>): void {
  const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  if (annotations !== undefined && ADMISSION_GATED_BY in annotations) {
    const rest = withoutGate(annotations[ADMISSION_GATED_BY]);
    if (rest === undefined) delete annotations[ADMISSION_GATED_BY];
    else annotations[ADMISSION_GATED_BY] = rest;
  }
  setLabel(object, RIGHTSIZING_LABEL, "done" satisfies RightsizingState);
}

export function annotationOf(object: unknown, key: string): string | undefined {
  const annotations = (object as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations;
  const value = annotations?.[key];
  return typeof value === "string" ? value : undefined;
}

/** RFC 6901 pointer to a metadata annotation (`/` in keys becomes `~1`). */
export function annotationPointer(key: string): string {
  return `/metadata/annotations/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/**
 * Field selectors as the API server reads the `fieldSelector` query parameter (k8s.io/apimachinery
 * fields.ParseSelector): `path=value`, `path==value`, `path!=value`, comma-separated and ANDed; a
 * missing field reads as "". Which paths a resource supports is the server's business (for pods:
 * metadata.name/namespace, spec.nodeName, status.phase, ...); the in-memory store accepts any.
 *
 * A watch with a field selector reports objects entering and leaving the selection as ADDED and
 * DELETED (the apiserver's cacher does the same), which `SelectedEvents` reproduces.
 */
import { KubeApiError } from "./errors.js";
import type { WatchEvent } from "./ports.js";

export interface FieldRequirement {
  path: readonly string[];
  op: "=" | "!=";
  value: string;
}

/**
 * The pods placement accounts for, as kube-scheduler's own informer selects them: bound and not
 * terminal. Pending pods are left on the server (a cluster can hold many); a pod that finishes
 * leaves the selection, so the watch sends DELETED, which releases its GPUs in the view.
 */
export const ASSIGNED_NON_TERMINAL_PODS = "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed";

export function parseFieldSelector(selector: string): FieldRequirement[] {
  if (selector.trim() === "") return [];
  return selector.split(",").map((part) => {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=|=)\s*([^,]*?)\s*$/.exec(part);
    if (!m) throw new KubeApiError(400, "BadRequest", `invalid field selector "${selector}": "${part}" is not field=value or field!=value`);
    return { path: m[1]!.split("."), op: m[2] === "!=" ? "!=" : "=", value: m[3]! };
  });
}

function fieldOf(obj: unknown, path: readonly string[]): string {
  let at: unknown = obj;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return "";
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === "string" ? at : typeof at === "number" || typeof at === "boolean" ? String(at) : "";
}

export function matchesFields(requirements: readonly FieldRequirement[], obj: unknown): boolean {
  return requirements.every((r) => (fieldOf(obj, r.path) === r.value) === (r.op === "="));
}

function keyOf(obj: unknown): string {
  const meta = (typeof obj === "object" && obj !== null ? (obj as { metadata?: { uid?: string; namespace?: string; name?: string } }).metadata : undefined) ?? {};
  return meta.uid ?? `${meta.namespace ?? ""}/${meta.name ?? ""}`;
}

/**
 * Turns a watch of every object into a watch of the selected ones. An object first met in a MODIFIED
 * event that is outside the selection is reported DELETED: the watch cannot know whether the
 * consumer's list had it (a replay from an older version), and deleting what one does not hold is a
 * no-op for an informer, while keeping what left the selection would leak it.
 */
export class SelectedEvents {
  /** Per object met on this watch: whether it is inside the selection now. */
  readonly #inside = new Map<string, boolean>();

  constructor(private readonly requirements: readonly FieldRequirement[]) {}

  /** The event to deliver, or undefined when the change is outside the selection. */
  translate<E extends WatchEvent>(e: E): E | undefined {
    if (e.type !== "ADDED" && e.type !== "MODIFIED" && e.type !== "DELETED") return e;
    const key = keyOf(e.object);
    const was = this.#inside.get(key);
    const now = e.type !== "DELETED" && matchesFields(this.requirements, e.object);
    if (e.type === "DELETED") this.#inside.delete(key);
    else this.#inside.set(key, now);
    if (now) return { ...e, type: was === true ? "MODIFIED" : "ADDED" };
    if (was === false || (was === undefined && e.type === "ADDED")) return undefined;
    return { ...e, type: "DELETED" };
  }
}

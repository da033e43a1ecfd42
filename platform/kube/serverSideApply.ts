/**
 * Server-side apply as MemoryObjectStore simulates it, for one field manager at a time. Pure functions
 * over wire JSON; the store keeps, per object, which leaf paths each manager applied last.
 *
 * What the API server does (https://kubernetes.io/docs/reference/using-api/server-side-apply/) and
 * what is kept here: the applied configuration is merged into the live object, objects key by key,
 * with `null` a value like any other (not a deletion, as in a merge patch); a field the same manager
 * applied before and leaves out now is removed (with the objects its removal empties). Simplified:
 * lists are atomic (the server merges `x-kubernetes-list-type: map` lists item by item, which for a
 * single manager that sends whole lists comes to the same); there are no conflicts between managers
 * (writers here use `force`), no `managedFields` on the object, and fields written by plain updates
 * have no owner.
 */
import { InvalidError, KubeApiError, NotFoundError } from "./errors.js";

export type Json = Record<string, unknown>;
export type FieldPath = readonly string[];

export interface ApplyOptions {
  /** Who applies (`fieldManager`); required, as on the server. */
  fieldManager: string;
  /** `status` for an apply to `…/{name}/status`. */
  subresource?: "status";
  /** Whether the resource has a status subresource (the CRD's `subresources.status`). */
  statusSubresource: boolean;
}

/** Set by the server on every write; an applied configuration does not own them. */
const SERVER_METADATA = ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink", "namespace"];

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Paths to every value that is not a non-empty object: what an apply of `config` claims. */
export function leafPaths(config: unknown, prefix: FieldPath = []): FieldPath[] {
  if (!isObject(config) || Object.keys(config).length === 0) return prefix.length === 0 ? [] : [prefix];
  return Object.entries(config).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

const keyOf = (path: FieldPath): string => JSON.stringify(path);

/** `config` merged over `live`: objects recursively, everything else (arrays, scalars, null) replaced. */
export function mergeApplied(live: unknown, config: unknown): unknown {
  if (!isObject(config) || !isObject(live)) return structuredClone(config);
  const out: Json = structuredClone(live);
  for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(out[k], v);
  return out;
}

/** Deletes `path` from `obj`, then each parent object the deletion left empty, unless `keep` (the new config) still names it. */
function removePath(obj: Json, path: FieldPath, keep: ReadonlySet<string>): void {
  const parents: Json[] = [obj];
  for (const step of path.slice(0, -1)) {
    const next = parents[parents.length - 1]?.[step];
    if (!isObject(next)) return;
    parents.push(next);
  }
  delete parents[parents.length - 1]?.[path[path.length - 1] ?? ""];
  for (let depth = path.length - 1; depth > 0; depth -= 1) {
    const parent = parents[depth];
    const parentPath = path.slice(0, depth);
    if (!parent || Object.keys(parent).length > 0 || keep.has(keyOf(parentPath))) break;
    delete parents[depth - 1]?.[path[depth - 1] ?? ""];
  }
}

/**
 * The object after `manager` applies `config` over `live`, given the paths it applied last time.
 * Returns the new object and the paths to remember for next time.
 */
export function applyConfig(live: Json, config: Json, previous: readonly FieldPath[]): { object: Json; owned: FieldPath[] } {
  const owned = leafPaths(config);
  const claimed = new Set(owned.map(keyOf));
  // Every path and every prefix of a path the new config names: those stay even if now empty.
  const named = new Set(owned.flatMap((p) => p.map((_, i) => keyOf(p.slice(0, i + 1)))));
  const object = structuredClone(live);
  for (const path of previous) if (!named.has(keyOf(path)) && !claimed.has(keyOf(path))) removePath(object, path, named);
  return { object: mergeApplied(object, config) as Json, owned };
}

/** Equal as JSON, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}

/**
 * Checks an applied configuration as the server does and cuts it down to what the endpoint may change:
 * with a status subresource, the object's endpoint ignores `status` and the status endpoint everything
 * but `status`. Server-set metadata is dropped; `resourceVersion`, when sent, is a precondition.
 */
export function appliedPart(body: unknown, name: string, opts: ApplyOptions): { part: Json; resourceVersion: string | undefined } {
  if (opts.fieldManager === "") throw new InvalidError("PatchOptions.meta.k8s.io is invalid: fieldManager: Required value: is required for apply patch");
  if (!isObject(body)) throw new KubeApiError(400, "BadRequest", "an applied configuration must be an object");
  if (typeof body["apiVersion"] !== "string" || typeof body["kind"] !== "string") throw new KubeApiError(400, "BadRequest", "an applied configuration must set apiVersion and kind");
  if (opts.subresource === "status" && !opts.statusSubresource) throw new NotFoundError("the resource has no status subresource");
  const config = structuredClone(body);
  const meta: Json = isObject(config["metadata"]) ? config["metadata"] : {};
  if (meta["name"] !== undefined && meta["name"] !== name) {
    throw new KubeApiError(400, "BadRequest", `the name of the object (${String(meta["name"])}) does not match the name on the URL (${name})`);
  }
  const resourceVersion = typeof meta["resourceVersion"] === "string" && meta["resourceVersion"] !== "" ? meta["resourceVersion"] : undefined;
  for (const f of SERVER_METADATA) delete meta[f];
  config["metadata"] = { ...meta, name };
  if (opts.subresource === "status") {
    const part: Json = { apiVersion: config["apiVersion"], kind: config["kind"], metadata: { name } };
    if (config["status"] !== undefined) part["status"] = config["status"];
    return { part, resourceVersion };
  }
  if (opts.statusSubresource) delete config["status"];
  return { part: config, resourceVersion };
}

/** The live object after the apply of `part` (from appliedPart), and the paths the manager owns now. */
export function applyToLive(live: Json, part: Json, previous: readonly FieldPath[], opts: ApplyOptions): { object: Json; owned: FieldPath[] } {
  const { object, owned } = applyConfig(live, part, previous);
  if (opts.subresource === "status") {
    const next = structuredClone(live);
    delete next["status"];
    if (object["status"] !== undefined) next["status"] = object["status"];
    return { object: next, owned: owned.filter((p) => p[0] === "status") };
  }
  if (opts.statusSubresource) {
    delete object["status"];
    if (live["status"] !== undefined) object["status"] = structuredClone(live["status"]);
  }
  return { object, owned };
}

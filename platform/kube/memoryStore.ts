/**
 * A small API-server-like object store: objects kept as wire JSON, keyed by group/plural/namespace/name.
 * It backs the in-memory adapters (memory.ts) and the fake API server of the contract tests, so both
 * see the same semantics: resourceVersion counters, 409 on a stale replace or an existing name, 404 on
 * missing objects, RFC 6902 patches applied with fast-json-patch (422 when a `test` op fails), label
 * selectors, `generateName`, one-shot injected faults, and watches: every write is logged (memoryWatchLog.ts)
 * so a watch replays from a resourceVersion, follows live changes, gets bookmarks, and answers 410 once
 * its version is compacted away; tests can drop or expire open watches.
 *
 * What it does NOT simulate: admission (webhooks, quota, defaulting), schema / field validation beyond
 * name and namespace checks, watch field/label selectors and `sendInitialEvents`, bookmarks on a timer
 * (only when `bookmark` is called), API versions (one stored form per group/plural; the
 * version is ignored), status subresources (except in `apply`, below), finalizers and graceful
 * deletion, garbage collection (a NodeReport outlives its Node here), `metadata.generation`, field and
 * `>`/`<` label selectors, pagination, strategic-merge patches (merge patches are applied as RFC 7386,
 * without the server's per-field validation), RBAC, and the randomness of `generateName` suffixes (a
 * deterministic counter instead).
 *
 * Server-side apply (`apply`) creates the object when absent and otherwise merges the applied
 * configuration in, removing what the same field manager applied before and leaves out now
 * (serverSideApply.ts, which lists what it simplifies: atomic lists, no conflicts, no managedFields).
 * For a resource with a status subresource, an apply to the object ignores `status` and an apply to
 * `status` ignores everything else and answers 404 when the object does not exist (subresources never
 * create). An apply that changes nothing writes nothing: no new resourceVersion, no watch event.
 */
// fast-json-patch is CommonJS without named exports for Node's ESM loader: default import, then destructure.
import jsonpatch, { type Operation } from "fast-json-patch";
import { systemClock, type Clock } from "../clock.js";
import { ConflictError, InvalidError, KubeApiError, NotFoundError } from "./errors.js";
import { matchesFields, parseFieldSelector } from "./fieldSelector.js";
import { matchesLabels, parseLabelSelector } from "./labelSelector.js";
import { applyMergePatch } from "./mergePatch.js";
import { WatchLog, type StoreWatcher, type WireObject } from "./memoryWatchLog.js";
import type { GroupVersionResource, ListOptions } from "./ports.js";
import { appliedPart, applyToLive, sameJson, type ApplyOptions, type FieldPath } from "./serverSideApply.js";

export type { ApplyOptions } from "./serverSideApply.js";

export type { WireObject } from "./memoryWatchLog.js";
export type StoreVerb = "create" | "get" | "list" | "replace" | "patch" | "delete" | "watch";

interface Fault {
  verb: StoreVerb;
  resource: string;
  err: KubeApiError;
}

/** The generateName alphabet of k8s.io/apiserver (no vowels, no look-alikes). */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const { applyPatch, JsonPatchError } = jsonpatch;

function resourceName(gvr: GroupVersionResource): string {
  return gvr.group === "" ? gvr.plural : `${gvr.plural}.${gvr.group}`;
}

function clone(obj: unknown): WireObject {
  // A JSON round trip is what the wire does: Dates become strings, V1MicroTime gets its six digits.
  return JSON.parse(JSON.stringify(obj)) as WireObject;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function metaOf(obj: WireObject): Record<string, unknown> {
  if (!isRecord(obj["metadata"])) obj["metadata"] = {};
  return obj["metadata"] as Record<string, unknown>;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function labelsOf(obj: WireObject): Record<string, string> {
  const labels = metaOf(obj)["labels"];
  return isRecord(labels) ? (labels as Record<string, string>) : {};
}

export class MemoryObjectStore {
  readonly #objects = new Map<string, WireObject>();
  readonly #faults: Fault[] = [];
  readonly #log: WatchLog;
  /** Object key → `manager|subresource` → the leaf paths that manager applied last (serverSideApply.ts). */
  readonly #applied = new Map<string, Map<string, FieldPath[]>>();
  #resourceVersion = 0;
  #uid = 0;
  #generated = 0;

  constructor(
    private readonly clock: Clock = systemClock,
    opts: { watchWindow?: number } = {},
  ) {
    this.#log = new WatchLog(opts.watchWindow);
  }

  /** The version of the last write: what a list is "as of" (its `metadata.resourceVersion`). */
  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  /** The next `verb` on `gvr` fails with `err` (once); lets contract tests drive both adapters into errors. */
  failNext(verb: StoreVerb, gvr: GroupVersionResource, err: KubeApiError): void {
    this.#faults.push({ verb, resource: resourceName(gvr), err });
  }

  create(gvr: GroupVersionResource, namespace: string, obj: WireObject): WireObject {
    this.#takeFault("create", gvr);
    return this.#insert(gvr, namespace, obj);
  }

  #insert(gvr: GroupVersionResource, namespace: string, obj: WireObject): WireObject {
    const created = clone(obj);
    const meta = metaOf(created);
    const bodyNamespace = str(meta["namespace"]);
    if (bodyNamespace !== undefined && bodyNamespace !== namespace) {
      throw new KubeApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
    }
    const generateName = str(meta["generateName"]);
    const name = str(meta["name"]) ?? (generateName === undefined ? undefined : generateName + this.#suffix());
    if (name === undefined) throw new InvalidError(`${resourceName(gvr)}: metadata.name or metadata.generateName is required`);
    const key = this.#key(gvr, namespace, name);
    if (this.#objects.has(key)) throw new ConflictError("AlreadyExists", `${resourceName(gvr)} "${name}" already exists`);
    meta["name"] = name;
    if (namespace !== "") meta["namespace"] = namespace;
    this.#uid += 1;
    meta["uid"] = `00000000-0000-4000-8000-${this.#uid.toString().padStart(12, "0")}`;
    meta["resourceVersion"] = this.#nextResourceVersion();
    meta["creationTimestamp"] = new Date(this.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, "Z");
    this.#objects.set(key, created);
    this.#log.record(resourceName(gvr), "ADDED", created, this.#resourceVersion);
    return clone(created);
  }

  get(gvr: GroupVersionResource, namespace: string, name: string): WireObject | undefined {
    this.#takeFault("get", gvr);
    const found = this.#objects.get(this.#key(gvr, namespace, name));
    return found === undefined ? undefined : clone(found);
  }

  /** `fieldSelector` as the server reads it (fieldSelector.ts), for the watches that list with one. */
  list(gvr: GroupVersionResource, opts: ListOptions & { fieldSelector?: string } = {}): WireObject[] {
    this.#takeFault("list", gvr);
    const requirements = parseLabelSelector(opts.labelSelector ?? "");
    const fields = parseFieldSelector(opts.fieldSelector ?? "");
    const prefix = opts.namespace === undefined ? `${resourceName(gvr)}/` : `${resourceName(gvr)}/${opts.namespace}/`;
    return [...this.#objects.entries()]
      .filter(([key, obj]) => key.startsWith(prefix) && matchesLabels(requirements, labelsOf(obj)) && matchesFields(fields, obj))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => clone(obj));
  }

  /** PUT: a body carrying a resourceVersion other than the stored one is a 409, as on the server. */
  replace(gvr: GroupVersionResource, namespace: string, name: string, obj: WireObject): WireObject {
    this.#takeFault("replace", gvr);
    const key = this.#key(gvr, namespace, name);
    const current = this.#objects.get(key);
    const next = clone(obj);
    const meta = metaOf(next);
    if (str(meta["name"]) !== name) {
      throw new KubeApiError(400, "BadRequest", `the name of the object (${String(meta["name"])}) does not match the name on the URL (${name})`);
    }
    if (current === undefined) throw new NotFoundError(`${resourceName(gvr)} "${name}" not found`);
    const currentMeta = metaOf(current);
    const sentVersion = str(meta["resourceVersion"]);
    if (sentVersion !== undefined && sentVersion !== currentMeta["resourceVersion"]) throw this.#conflict(gvr, name);
    return this.#store(gvr, key, next, currentMeta);
  }

  jsonPatch(gvr: GroupVersionResource, namespace: string, name: string, ops: Operation[]): WireObject {
    this.#takeFault("patch", gvr);
    if (!Array.isArray(ops)) throw new KubeApiError(400, "BadRequest", "json patch must be an array of operations");
    const key = this.#key(gvr, namespace, name);
    const current = this.#objects.get(key);
    if (current === undefined) throw new NotFoundError(`${resourceName(gvr)} "${name}" not found`);
    let patched: WireObject;
    try {
      patched = applyPatch(clone(current), clone(ops) as unknown as Operation[], true, true).newDocument;
    } catch (err) {
      if (err instanceof JsonPatchError) throw new InvalidError(`${resourceName(gvr)} "${name}": ${err.name}: ${err.message.split("\n")[0]}`, { cause: err });
      throw err;
    }
    const meta = metaOf(patched);
    const currentMeta = metaOf(current);
    if (meta["name"] !== currentMeta["name"] || meta["namespace"] !== currentMeta["namespace"]) {
      throw new InvalidError(`${resourceName(gvr)} "${name}": metadata.name and metadata.namespace are immutable`);
    }
    return this.#store(gvr, key, patched, currentMeta);
  }

  /** RFC 7386 merge patch (`application/merge-patch+json`); metadata.name and namespace stay as they are. */
  mergePatch(gvr: GroupVersionResource, namespace: string, name: string, patch: Record<string, unknown>): WireObject {
    this.#takeFault("patch", gvr);
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) throw new KubeApiError(400, "BadRequest", "merge patch must be a JSON object");
    const key = this.#key(gvr, namespace, name);
    const current = this.#objects.get(key);
    if (current === undefined) throw new NotFoundError(`${resourceName(gvr)} "${name}" not found`);
    const patched = applyMergePatch(clone(current), patch) as WireObject;
    const meta = metaOf(patched);
    const currentMeta = metaOf(current);
    if (meta["name"] !== currentMeta["name"] || meta["namespace"] !== currentMeta["namespace"]) {
      throw new InvalidError(`${resourceName(gvr)} "${name}": metadata.name and metadata.namespace are immutable`);
    }
    return this.#store(gvr, key, patched, currentMeta);
  }

  /**
   * Server-side apply (`PATCH` as `application/apply-patch+yaml`), as the header says. Returns the object
   * as stored and whether the apply created it (the server answers 201 then). 422 without a field
   * manager; 400 without apiVersion/kind or when the body names another object; 409 when the body's
   * resourceVersion is not the stored one. Faults injected for `patch` apply here too.
   */
  apply(gvr: GroupVersionResource, namespace: string, name: string, obj: WireObject, opts: ApplyOptions): { object: WireObject; created: boolean } {
    this.#takeFault("patch", gvr);
    const { part, resourceVersion } = appliedPart(obj, name, opts);
    const key = this.#key(gvr, namespace, name);
    const current = this.#objects.get(key);
    const owner = `${opts.fieldManager}|${opts.subresource ?? ""}`;
    if (current === undefined) {
      // Subresources never create; a resourceVersion precondition cannot hold for a missing object.
      if (opts.subresource !== undefined || resourceVersion !== undefined) throw new NotFoundError(`${resourceName(gvr)} "${name}" not found`);
      const created = this.#insert(gvr, namespace, part);
      this.#owners(key).set(owner, applyToLive({}, part, [], opts).owned);
      return { object: created, created: true };
    }
    const currentMeta = metaOf(current);
    if (resourceVersion !== undefined && resourceVersion !== currentMeta["resourceVersion"]) throw this.#conflict(gvr, name);
    const { object, owned } = applyToLive(current, part, this.#owners(key).get(owner) ?? [], opts);
    this.#owners(key).set(owner, owned);
    // The server writes nothing for an apply that changes nothing: same resourceVersion, no event.
    if (sameJson(object, current)) return { object: clone(current), created: false };
    return { object: this.#store(gvr, key, object, currentMeta), created: false };
  }

  delete(gvr: GroupVersionResource, namespace: string, name: string): void {
    this.#takeFault("delete", gvr);
    const key = this.#key(gvr, namespace, name);
    const gone = this.#objects.get(key);
    if (gone === undefined) throw new NotFoundError(`${resourceName(gvr)} "${name}" not found`);
    this.#objects.delete(key);
    this.#applied.delete(key);
    // The DELETED event carries the object's last state under a version of its own, as on the server.
    metaOf(gone)["resourceVersion"] = this.#nextResourceVersion();
    this.#log.record(resourceName(gvr), "DELETED", gone, this.#resourceVersion);
  }

  /**
   * Every change to `gvr` after `resourceVersion`, then live ones, until the returned stop is called or
   * the watch is ended (`endWatches`). Throws GoneError (410) when that version was compacted away.
   */
  watch(gvr: GroupVersionResource, resourceVersion: string, watcher: StoreWatcher): () => void {
    this.#takeFault("watch", gvr);
    return this.#log.watch(resourceName(gvr), resourceVersion, watcher);
  }

  /** Forgets the history up to now (etcd compaction): a watch from an older version gets 410. */
  compact(): void {
    this.#log.compact(this.#resourceVersion);
  }

  /** Sends a BOOKMARK at the current version to the watchers of `gvr`. */
  bookmark(gvr: GroupVersionResource): void {
    this.#log.bookmark(resourceName(gvr), this.#resourceVersion);
  }

  /** Ends the open watches on `gvr`: a dropped connection, or the ERROR event carrying `err`. */
  endWatches(gvr: GroupVersionResource, err?: KubeApiError): void {
    this.#log.end(resourceName(gvr), err);
  }

  watcherCount(gvr: GroupVersionResource): number {
    return this.#log.watcherCount(resourceName(gvr));
  }

  #store(gvr: GroupVersionResource, key: string, next: WireObject, currentMeta: Record<string, unknown>): WireObject {
    const meta = metaOf(next);
    // Server-owned fields survive whatever the client sent.
    meta["uid"] = currentMeta["uid"];
    meta["creationTimestamp"] = currentMeta["creationTimestamp"];
    if (currentMeta["namespace"] !== undefined) meta["namespace"] = currentMeta["namespace"];
    meta["resourceVersion"] = this.#nextResourceVersion();
    this.#objects.set(key, next);
    this.#log.record(resourceName(gvr), "MODIFIED", next, this.#resourceVersion);
    return clone(next);
  }

  #owners(key: string): Map<string, FieldPath[]> {
    let byOwner = this.#applied.get(key);
    if (!byOwner) this.#applied.set(key, (byOwner = new Map()));
    return byOwner;
  }

  #conflict(gvr: GroupVersionResource, name: string): ConflictError {
    return new ConflictError(
      "Conflict",
      `Operation cannot be fulfilled on ${resourceName(gvr)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    );
  }

  #takeFault(verb: StoreVerb, gvr: GroupVersionResource): void {
    const resource = resourceName(gvr);
    const index = this.#faults.findIndex((f) => f.verb === verb && f.resource === resource);
    if (index < 0) return;
    const [fault] = this.#faults.splice(index, 1);
    if (fault) throw fault.err;
  }

  #key(gvr: GroupVersionResource, namespace: string, name: string): string {
    return `${resourceName(gvr)}/${namespace}/${name}`;
  }

  #nextResourceVersion(): string {
    this.#resourceVersion += 1;
    return String(this.#resourceVersion);
  }

  #suffix(): string {
    this.#generated += 1;
    let n = this.#generated;
    let suffix = "";
    for (let i = 0; i < 5; i += 1) {
      suffix += NAME_ALPHABET[n % NAME_ALPHABET.length];
      n = Math.floor(n / NAME_ALPHABET.length);
    }
    return suffix;
  }
}

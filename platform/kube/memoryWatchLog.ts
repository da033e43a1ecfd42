/**
 * The change history behind MemoryObjectStore watches: what etcd's revision log plus the API server's
 * watch cache give real watchers. Every write is kept (up to a window) with the resourceVersion it got,
 * so a watch can resume from any version still in the window; an older one is answered 410 Expired,
 * which is what sends an informer back to a full list.
 */
import { GoneError, KubeApiError } from "./errors.js";

export type StoreEventType = "ADDED" | "MODIFIED" | "DELETED";
export type WireObject = Record<string, unknown>;

/** What a watcher sees; BOOKMARK objects carry only `metadata.resourceVersion`. */
export interface StoreWatchEvent {
  type: StoreEventType | "BOOKMARK";
  object: WireObject;
}

export interface StoreWatcher {
  onEvent(e: StoreWatchEvent): void;
  /** The watch is over: cleanly (no error) or with the error an ERROR event would carry. */
  onEnd(err?: KubeApiError): void;
}

interface Change {
  resource: string;
  type: StoreEventType;
  object: WireObject;
  version: number;
}

/**
 * kube-apiserver keeps a few minutes of history per resource; 1000 changes is plenty for tests and
 * standalone mode, and bounds memory when nobody watches.
 */
export const DEFAULT_WATCH_WINDOW = 1000;

function clone(obj: WireObject): WireObject {
  return JSON.parse(JSON.stringify(obj)) as WireObject;
}

export class WatchLog {
  readonly #changes: Change[] = [];
  readonly #watchers = new Map<string, Set<StoreWatcher>>();
  /** Highest version no longer in the log; a watch must start at or after it. */
  #forgottenThrough = 0;

  constructor(private readonly window = DEFAULT_WATCH_WINDOW) {}

  record(resource: string, type: StoreEventType, object: WireObject, version: number): void {
    this.#changes.push({ resource, type, object: clone(object), version });
    while (this.#changes.length > this.window) this.#forgottenThrough = this.#changes.shift()?.version ?? this.#forgottenThrough;
    for (const w of this.#watchers.get(resource) ?? []) w.onEvent({ type, object: clone(object) });
  }

  /** Replays the changes after `from`, then follows live ones until the returned stop is called. */
  watch(resource: string, from: string, watcher: StoreWatcher): () => void {
    if (!/^\d+$/.test(from)) throw new KubeApiError(400, "BadRequest", `resourceVersion: Invalid value: "${from}": must be a number`);
    const fromVersion = Number(from);
    if (fromVersion < this.#forgottenThrough) throw new GoneError("Expired", `too old resource version: ${from} (${this.#forgottenThrough})`);
    for (const c of this.#changes) if (c.resource === resource && c.version > fromVersion) watcher.onEvent({ type: c.type, object: clone(c.object) });
    let set = this.#watchers.get(resource);
    if (!set) this.#watchers.set(resource, (set = new Set()));
    set.add(watcher);
    return () => void set.delete(watcher);
  }

  /** As etcd compaction: history up to `through` is gone, so watches from before it get 410. */
  compact(through: number): void {
    while (this.#changes.length > 0 && (this.#changes[0]?.version ?? Infinity) <= through) this.#changes.shift();
    this.#forgottenThrough = Math.max(this.#forgottenThrough, through);
  }

  /** A BOOKMARK with `version` to every watcher of `resource`. */
  bookmark(resource: string, version: number): void {
    for (const w of this.#watchers.get(resource) ?? []) w.onEvent({ type: "BOOKMARK", object: { metadata: { resourceVersion: String(version) } } });
  }

  /** Ends every watch on `resource`: a dropped connection (no error) or an ERROR event (`err`). */
  end(resource: string, err?: KubeApiError): void {
    const set = this.#watchers.get(resource);
    if (!set) return;
    this.#watchers.delete(resource);
    for (const w of set) w.onEnd(err);
  }

  watcherCount(resource: string): number {
    return this.#watchers.get(resource)?.size ?? 0;
  }
}

/**
 * In-memory ObjectWatch over a MemoryObjectStore: lists are the store's objects at its current version,
 * watches replay and follow the store's change log (memoryWatchLog.ts).
 *
 * What it does NOT simulate, beyond the store's list: `timeoutSeconds` (a watch lasts until stopped or
 * ended by the test), pagination, malformed JSON on the wire (only well-formed objects of a wrong shape),
 * and delivery latency (events reach the handler synchronously, inside the write that caused them).
 */
import { toKubeError } from "./errors.js";
import { ASSIGNED_NON_TERMINAL_PODS, parseFieldSelector, SelectedEvents } from "./fieldSelector.js";
import type { MemoryObjectStore } from "./memoryStore.js";
import { NODE_REPORTS } from "./nodeReports.js";
import type { ClusterWatches, GroupVersionResource, ObjectList, ObjectWatch, WatchEvent, WatchOptions } from "./ports.js";

export const NODES: GroupVersionResource = { group: "", version: "v1", plural: "nodes" };
export const PODS: GroupVersionResource = { group: "", version: "v1", plural: "pods" };

export class MemoryObjectWatch implements ObjectWatch {
  constructor(
    private readonly store: MemoryObjectStore,
    private readonly gvr: GroupVersionResource,
    /** As the server applies `fieldSelector` to the list and the watch (fieldSelector.ts). */
    private readonly fieldSelector = "",
  ) {}

  get resource(): string {
    return this.gvr.plural;
  }

  async list(): Promise<ObjectList> {
    const items = this.store.list(this.gvr, { fieldSelector: this.fieldSelector });
    return { items, resourceVersion: this.store.resourceVersion };
  }

  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      let settled = false;
      let cancel: () => void = () => undefined;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        cancel();
        signal.removeEventListener("abort", onAbort);
        if (err === undefined) resolve();
        else reject(toKubeError(err, `WATCH ${this.gvr.plural}`));
      };
      const onAbort = (): void => finish();
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        const requirements = parseFieldSelector(this.fieldSelector);
        const selected = requirements.length === 0 ? undefined : new SelectedEvents(requirements);
        const stop = this.store.watch(this.gvr, opts.resourceVersion, {
          onEvent: (raw) => {
            if (settled) return;
            const e = selected === undefined ? raw : selected.translate(raw);
            if (e === undefined) return;
            try {
              onEvent(e);
            } catch (err) {
              // A handler bug ends the watch visibly instead of silently losing the event.
              finish(err);
            }
          },
          onEnd: (err) => finish(err),
        });
        // The replay runs inside store.watch, so the watch may already be over when it returns.
        if (settled) stop();
        else cancel = stop;
      } catch (err) {
        finish(err);
      }
    });
  }
}

export function memoryClusterWatches(store: MemoryObjectStore): ClusterWatches {
  return {
    nodes: new MemoryObjectWatch(store, NODES),
    pods: new MemoryObjectWatch(store, PODS, ASSIGNED_NON_TERMINAL_PODS),
    nodeReports: new MemoryObjectWatch(store, NODE_REPORTS),
  };
}

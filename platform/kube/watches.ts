/**
 * ObjectWatch over client-node: paged lists through the typed CoreV1Api, watches through its `Watch`
 * (one streaming GET per watch, newline-delimited events).
 *
 * Not `makeInformer`/`ListWatch`: in client-node 1.4 it stops for good on any error other than 410 (the
 * caller has to notice and restart it), does not ask for bookmarks, does not page its lists, and an
 * ERROR event with 410 only takes effect once the server happens to close the stream. The reconnect
 * policy lives in clusterViewSync.ts instead, where it can be tested against both adapters.
 *
 * Lists and watches decode differently: list items are client-node models (ObjectSerializer drops unknown
 * fields and coerces some wrongly typed maps and arrays), watch objects are the JSON as sent. Consumers
 * validate what they read either way (clusterViewFeeds.ts).
 *
 * Known client-node quirks this adapter works around or inherits:
 * - `Watch` swallows lines that are not JSON and exceptions thrown by the event callback; the callback
 *   here never throws into it (a handler error ends the watch with that error instead).
 * - `Watch` reports a non-200 answer as a plain Error with `statusCode` and drops the Status body, so an
 *   HTTP 410 arrives here without its reason; it is read as `Expired`.
 * - `Watch` sets no client-side timeout (its 30 s timeout signal is overwritten), so the caller passes
 *   `timeoutSeconds` and keeps a watchdog of its own.
 * - `Watch` hands back its AbortController only once the response headers are in: a watch stopped before
 *   that settles at once here, but its socket lingers until the server answers.
 */
import { ASSIGNED_NON_TERMINAL_PODS } from "./fieldSelector.js";
import { CoreV1Api, CustomObjectsApi, Watch, type KubeConfig } from "@kubernetes/client-node";
import { errorEventToKubeError, KubeApiError, kubeErrorFor, toKubeError } from "./errors.js";
import { customListPage, NODE_REPORTS } from "./nodeReports.js";
import type { ClusterWatches, ObjectList, ObjectWatch, WatchEvent, WatchOptions } from "./ports.js";

/** client-go's pager default: a page of pods stays a few MB while a 50k-pod list takes 100 calls, not 50k. */
export const LIST_PAGE_SIZE = 500;

export interface ListPage {
  metadata?: { resourceVersion?: string; _continue?: string };
  items: unknown[];
}

export type ListPageFn = (limit: number, continueToken: string | undefined) => Promise<ListPage>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}


/** What `Watch` hands to `done`: its own Error with `statusCode` for a non-200 answer, else a transport error. */
function watchDoneToKubeError(err: unknown, what: string): KubeApiError {
  const statusCode = isRecord(err) ? err["statusCode"] : undefined;
  if (typeof statusCode === "number") return kubeErrorFor(statusCode, undefined, what, `HTTP ${statusCode}`, err);
  return toKubeError(err, what);
}

export class KubeObjectWatch implements ObjectWatch {
  constructor(
    readonly resource: string,
    /** Collection path without query, e.g. `/api/v1/pods` (all namespaces). */
    private readonly path: string,
    private readonly listPage: ListPageFn,
    private readonly watcher: Watch,
    /** Sent with the list and the watch; the server then reports objects leaving the selection as DELETED. */
    private readonly fieldSelector?: string,
  ) {}

  async list(): Promise<ObjectList> {
    const what = `LIST ${this.resource}`;
    const items: unknown[] = [];
    let resourceVersion = "";
    let continueToken: string | undefined;
    do {
      let page: ListPage;
      try {
        page = await this.listPage(LIST_PAGE_SIZE, continueToken);
      } catch (err) {
        throw toKubeError(err, what);
      }
      // Every page of one list is served from the first page's snapshot; its version is the list's.
      if (resourceVersion === "") resourceVersion = page.metadata?.resourceVersion ?? "";
      for (const item of page.items ?? []) items.push(item);
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken !== undefined);
    if (resourceVersion === "") throw new KubeApiError(500, "InternalError", `${what}: the list has no metadata.resourceVersion to watch from`);
    return { items, resourceVersion };
  }

  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const what = `WATCH ${this.resource}`;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      let settled = false;
      let request: AbortController | undefined;
      const finish = (err?: KubeApiError): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        request?.abort();
        if (err === undefined) resolve();
        else reject(err);
      };
      const onAbort = (): void => finish();
      signal.addEventListener("abort", onAbort, { once: true });
      const query = {
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: true,
        ...(this.fieldSelector !== undefined && { fieldSelector: this.fieldSelector }),
        ...(opts.timeoutSeconds !== undefined && { timeoutSeconds: opts.timeoutSeconds }),
      };
      const handle = (type: unknown, object: unknown): void => {
        if (settled) return;
        if (type === "ERROR") return finish(errorEventToKubeError(object, what));
        try {
          onEvent({ type: typeof type === "string" ? type : "", object });
        } catch (err) {
          finish(toKubeError(err, what));
        }
      };
      const done = (err: unknown): void => finish(err === null || err === undefined ? undefined : watchDoneToKubeError(err, what));
      this.watcher.watch(this.path, query, handle, done).then(
        (controller) => {
          request = controller;
          // Aborted while the request was being made: `request` was not there to abort yet.
          if (settled) controller.abort();
        },
        (err: unknown) => finish(toKubeError(err, what)),
      );
    });
  }
}

/** Nodes, pods (all namespaces) and NodeReports over one KubeConfig. */
export function kubeClusterWatches(kc: KubeConfig): ClusterWatches {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(kc);
  const page = (continueToken: string | undefined) => (continueToken === undefined ? {} : { _continue: continueToken });
  return {
    nodes: new KubeObjectWatch("nodes", "/api/v1/nodes", (limit, c) => core.listNode({ limit, ...page(c) }), watcher),
    pods: new KubeObjectWatch(
      "pods",
      "/api/v1/pods",
      (limit, c) => core.listPodForAllNamespaces({ limit, fieldSelector: ASSIGNED_NON_TERMINAL_PODS, ...page(c) }),
      watcher,
      ASSIGNED_NON_TERMINAL_PODS,
    ),
    nodeReports: new KubeObjectWatch(
      NODE_REPORTS.plural,
      `/apis/${NODE_REPORTS.group}/${NODE_REPORTS.version}/${NODE_REPORTS.plural}`,
      async (limit, c) => customListPage(await custom.listClusterCustomObject({ ...NODE_REPORTS, limit, ...page(c) }), `LIST ${NODE_REPORTS.plural}`),
      watcher,
    ),
  };
}

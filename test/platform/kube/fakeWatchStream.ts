/**
 * The fake API server's `?watch=true` answers, as kube-apiserver streams them: status 200 with chunked
 * `application/json`, one `{"type":…,"object":…}` per line, BOOKMARKs only when asked for, the stream
 * ended after `timeoutSeconds`, and a resourceVersion older than the history answered with 410 Expired:
 * as an ERROR event inside a 200 stream (what the server does today) or as an HTTP 410 (older servers,
 * some proxies), chosen per test.
 */
import { parseFieldSelector, SelectedEvents } from "../../../platform/kube/fieldSelector.js";
import type { ServerResponse } from "node:http";
import type { KubeApiError } from "../../../platform/kube/errors.js";
import type { MemoryObjectStore, WireObject } from "../../../platform/kube/memoryStore.js";
import type { StoreWatchEvent } from "../../../platform/kube/memoryWatchLog.js";
import type { GroupVersionResource } from "../../../platform/kube/ports.js";

export type GoneAs = "error-event" | "http-410";

export interface WatchRequest {
  store: MemoryObjectStore;
  gvr: GroupVersionResource;
  /** undefined: all namespaces. */
  namespace: string | undefined;
  resourceVersion: string;
  bookmarks: boolean;
  timeoutSeconds: number | undefined;
  goneAs: GoneAs;
  /** As the server applies it: objects entering and leaving the selection arrive as ADDED and DELETED. */
  fieldSelector?: string;
}

export interface OpenWatch {
  plural: string;
  /** Writes raw text as one line (for malformed lines). */
  writeLine(text: string): void;
  /** Cuts the connection without ending the chunked body, as a network failure does. */
  drop(): void;
}

export function statusObject(code: number, reason: string, message: string): WireObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

const errorEvent = (err: KubeApiError): string => JSON.stringify({ type: "ERROR", object: statusObject(err.statusCode, err.reason, err.message) });

function inNamespace(e: StoreWatchEvent, namespace: string | undefined): boolean {
  if (namespace === undefined || e.type === "BOOKMARK") return true;
  return (e.object["metadata"] as { namespace?: string } | undefined)?.namespace === namespace;
}

/** What the server checks on a `?watch` query (ParseBool, integer timeout), plus the informer rule of never starting from "now". */
export function checkWatchQuery(q: URLSearchParams): string | undefined {
  if (!["true", "1"].includes(q.get("watch") ?? "")) return `watch=${q.get("watch")}: expected true or 1`;
  const bookmarks = q.get("allowWatchBookmarks");
  if (bookmarks !== null && !["true", "false", "1", "0"].includes(bookmarks)) return `allowWatchBookmarks=${bookmarks}: not a boolean`;
  const timeout = q.get("timeoutSeconds");
  if (timeout !== null && !/^\d+$/.test(timeout)) return `timeoutSeconds=${timeout}: not an integer`;
  if ((q.get("resourceVersion") ?? "") === "") return "a watch without resourceVersion starts from now: changes since the list are lost";
  return undefined;
}

/** Answers the request; returns the open stream, or undefined when it was answered with an error. `status` reports the HTTP status sent. */
export function streamWatch(w: WatchRequest, res: ServerResponse, status: (code: number) => void): OpenWatch | undefined {
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    status(200);
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    // kube-apiserver flushes the headers before the first event; clients wait for them to start reading.
    res.flushHeaders();
  };
  const line = (text: string): void => {
    if (res.destroyed || res.writableEnded) return;
    start();
    res.write(`${text}\n`);
  };
  let stopWatch: () => void = () => undefined;
  try {
    const fields = parseFieldSelector(w.fieldSelector ?? "");
    const selected = fields.length === 0 ? undefined : new SelectedEvents(fields);
    stopWatch = w.store.watch(w.gvr, w.resourceVersion, {
      onEvent: (raw) => {
        const e = selected === undefined ? raw : selected.translate(raw);
        if (e === undefined) return;
        if (e.type === "BOOKMARK" && !w.bookmarks) return;
        if (inNamespace(e, w.namespace)) line(JSON.stringify(e));
      },
      onEnd: (err) => {
        if (err) line(errorEvent(err));
        start();
        res.end();
      },
    });
  } catch (thrown) {
    const err = thrown as KubeApiError;
    if (err.statusCode === 410 && w.goneAs === "error-event") {
      line(errorEvent(err));
      res.end();
      return undefined;
    }
    status(err.statusCode);
    res.writeHead(err.statusCode, { "content-type": "application/json" });
    res.end(JSON.stringify(statusObject(err.statusCode, err.reason, err.message)));
    return undefined;
  }
  start(); // headers go out at once, as the server flushes them before the first event
  const timer = w.timeoutSeconds === undefined ? undefined : setTimeout(() => res.end(), w.timeoutSeconds * 1000);
  timer?.unref();
  res.on("close", () => {
    clearTimeout(timer);
    stopWatch();
  });
  return {
    plural: w.gvr.plural,
    writeLine: (text) => line(text),
    drop: () => {
      stopWatch(); // at once: the socket's close event comes later, and writes must stop now
      res.socket?.destroy();
    },
  };
}

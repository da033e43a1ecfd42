/**
 * ObjectWatch (ports.ts) over the light client: the list + watch an informer makes, with the semantics
 * of KubeObjectWatch (watches.ts), so the reflector behaves the same over either:
 *  - list: pages of LIST_PAGE_SIZE following `continue`; the first page's resourceVersion is the list's;
 *    an expired token is the server's 410, a GoneError;
 *  - watch: `?watch=true&resourceVersion=…&allowWatchBookmarks=true[&timeoutSeconds][&fieldSelector]`,
 *    one JSON event per line; a clean end of the stream resolves, `signal` resolves; an ERROR event ends
 *    the watch with the typed error of its Status (410 → GoneError), as does an HTTP error answer;
 *  - a line that is not a JSON object is skipped, as client-node's Watch skips it (the reflector skips
 *    what it cannot read and goes on); an exception from `onEvent` ends the watch with that error.
 *
 * Where it differs from client-node, on purpose: items are the JSON as sent in lists too (no model
 * decoding; consumers validate), an HTTP 410 keeps its Status reason, and a connection cut mid-stream
 * is an error (KubeApiError 0) rather than a premature-close error without a status.
 */
import { errorEventToKubeError, KubeApiError, toKubeError } from "./errors.js";
import type { LightKubeClient, Query } from "./lightClient.js";
import type { ObjectList, ObjectWatch, WatchEvent, WatchOptions } from "./ports.js";

/** client-go's pager default (as watches.ts's LIST_PAGE_SIZE, not imported: watches.ts loads client-node). */
export const LIGHT_LIST_PAGE_SIZE = 500;
/**
 * A longer line is not an event we can hold: etcd caps an object at 1.5 MiB, so its JSON stays well
 * under this. Without a cap a misbehaving peer could grow the buffer without bound.
 */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}


export class LightObjectWatch implements ObjectWatch {
  constructor(
    private readonly client: LightKubeClient,
    readonly resource: string,
    /** Collection path without query, e.g. `/api/v1/pods` (all namespaces). */
    private readonly path: string,
    /** Sent with the list and the watch; the server then reports objects leaving the selection as DELETED. */
    private readonly fieldSelector?: string,
  ) {}

  /** `LIST /api/v1/pods?fieldSelector=spec.nodeName=gpu-1`: verb and path, the selector unescaped for reading. */
  #what(verb: "LIST" | "WATCH"): string {
    return `${verb} ${this.path}${this.fieldSelector === undefined ? "" : `?fieldSelector=${this.fieldSelector}`}`;
  }

  async list(): Promise<ObjectList> {
    const what = this.#what("LIST");
    const items: unknown[] = [];
    let resourceVersion = "";
    let continueToken: string | undefined;
    do {
      const query: Query = { limit: LIGHT_LIST_PAGE_SIZE, fieldSelector: this.fieldSelector, continue: continueToken };
      const page = await this.client.json({ method: "GET", path: this.path, query }, what);
      if (!isRecord(page) || !Array.isArray(page["items"])) throw new KubeApiError(500, "InternalError", `${what}: the answer has no items array`);
      const meta = isRecord(page["metadata"]) ? page["metadata"] : {};
      // Every page of one list is served from the first page's snapshot; its version is the list's.
      if (resourceVersion === "" && typeof meta["resourceVersion"] === "string") resourceVersion = meta["resourceVersion"];
      for (const item of page["items"]) items.push(item);
      continueToken = typeof meta["continue"] === "string" && meta["continue"] !== "" ? meta["continue"] : undefined;
    } while (continueToken !== undefined);
    if (resourceVersion === "") throw new KubeApiError(500, "InternalError", `${what}: the list has no metadata.resourceVersion to watch from`);
    return { items, resourceVersion };
  }

  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const what = this.#what("WATCH");
    return new Promise((resolve, reject) => {
      if (signal.aborted) return resolve();
      // Ours, so the request also ends when we settle (an ERROR event, a handler error), not only on `signal`.
      const request = new AbortController();
      let settled = false;
      const finish = (err?: KubeApiError): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        request.abort();
        if (err === undefined) resolve();
        else reject(err);
      };
      const onAbort = (): void => finish();
      signal.addEventListener("abort", onAbort, { once: true });

      const handleLine = (line: string): void => {
        if (settled || line.trim() === "") return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return; // not JSON: skipped, as client-node's Watch does
        }
        if (!isRecord(parsed)) return;
        const { type, object } = parsed;
        if (type === "ERROR") return finish(errorEventToKubeError(object, what));
        try {
          onEvent({ type: typeof type === "string" ? type : "", object });
        } catch (err) {
          finish(toKubeError(err, what));
        }
      };

      const query: Query = {
        watch: true,
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: true,
        fieldSelector: this.fieldSelector,
        timeoutSeconds: opts.timeoutSeconds,
      };
      this.client.stream(this.path, query, request.signal, what).then(
        (res) => {
          if (settled) return void res.destroy();
          res.setEncoding("utf8");
          let buffered = "";
          res.on("data", (chunk: string) => {
            buffered += chunk;
            let nl: number;
            while (!settled && (nl = buffered.indexOf("\n")) >= 0) {
              const line = buffered.slice(0, nl);
              buffered = buffered.slice(nl + 1);
              handleLine(line);
            }
            if (buffered.length > MAX_LINE_CHARS) finish(new KubeApiError(500, "InternalError", `${what}: a line longer than ${MAX_LINE_CHARS} characters`));
          });
          res.once("end", () => {
            handleLine(buffered); // a last event without its newline
            finish();
          });
          res.on("error", (err) => finish(new KubeApiError(0, "Unknown", `${what}: ${err.message}`, { cause: err })));
          res.once("close", () => {
            if (!res.complete) finish(new KubeApiError(0, "Unknown", `${what}: connection closed in the middle of the stream`));
          });
        },
        (err: unknown) => finish(toKubeError(err, what)),
      );
    });
  }
}

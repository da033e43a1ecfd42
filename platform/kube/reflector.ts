/**
 * One resource's list-then-watch loop, in the manner of client-go's Reflector:
 *  - list (all pages), hand the whole set to the sink, remember the list's resourceVersion;
 *  - watch from it, hand each event to the sink, advance the version with every event and bookmark;
 *  - when the stream ends, watch again from the last version: nothing is missed and nothing relisted;
 *  - on 410 (the version is too old for the server) forget it and list again;
 *  - on any other error wait (exponential, jittered) and retry from where it was.
 * Events never reach the sink twice out of order: one watch at a time, and the sink's `replace` after a
 * relist removes what disappeared while the watch was down.
 */
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { isGone, toKubeError, type KubeApiError } from "./errors.js";
import type { Wait } from "./wait.js";
import type { ObjectWatch, WatchEvent } from "./ports.js";

export type ObjectEventType = "ADDED" | "MODIFIED" | "DELETED";
/** Why a list was made: first one, after a 410, periodic resync. */
export type ListReason = "initial" | "expired" | "resync";
export type SkipReason = "unknown-event" | "unreadable-object";

export interface ReflectorSink {
  /** A full list: the resource holds exactly these objects now. Must not throw. */
  replace(items: readonly unknown[]): void;
  /** One change seen on the watch. Must not throw. */
  apply(type: ObjectEventType, object: unknown): void;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** client-go's reflector backoff: 800 ms doubling to 30 s, so an API server outage is not hammered. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 800, maxMs: 30_000 };
/** client-go's minWatchTimeout: each watch asks the server to end it after 5 to 10 minutes. */
const MIN_WATCH_TIMEOUT_S = 300;
/** Beyond its timeoutSeconds, how long a silent stream may stay open before we call it half-open. */
const WATCHDOG_GRACE_MS = 30_000;
/** A watch that ends this fast without one event is a failure (a proxy closing it), not a timeout. */
const SHORT_WATCH_MS = 1_000;

export interface ReflectorOptions {
  source: ObjectWatch;
  sink: ReflectorSink;
  log: Logger;
  clock: Clock;
  wait: Wait;
  /** In [0, 1); jitters backoff and watch timeouts so replicas do not reconnect in lockstep. */
  random: () => number;
  backoff: BackoffOptions;
  /** List again this long after the last list, to repair drift; absent: only when the server says 410. */
  resyncMs?: number;
  onListed?(reason: ListReason, items: number): void;
  onError?(operation: "list" | "watch", err: KubeApiError): void;
  onSkipped?(reason: SkipReason): void;
}

/** Exponential with "equal jitter": between half and all of min(initial·2^(n−1), max). */
export function backoffMs(failures: number, b: BackoffOptions, random: () => number): number {
  const base = Math.min(b.initialMs * 2 ** Math.max(0, failures - 1), b.maxMs);
  return base / 2 + random() * (base / 2);
}

function resourceVersionOf(object: unknown): string | undefined {
  const meta = typeof object === "object" && object !== null ? (object as { metadata?: unknown }).metadata : undefined;
  const rv = typeof meta === "object" && meta !== null ? (meta as { resourceVersion?: unknown }).resourceVersion : undefined;
  return typeof rv === "string" && rv !== "" ? rv : undefined;
}

/** `p`, or undefined as soon as `signal` aborts (a list in flight cannot be cancelled through client-node). */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Runs until `signal` aborts; never rejects. */
export async function runReflector(o: ReflectorOptions, signal: AbortSignal): Promise<void> {
  const kind = o.source.resource;
  let resourceVersion = "";
  let listReason: ListReason = "initial";
  let listedAtMs = 0;
  let failures = 0;

  while (!signal.aborted) {
    let operation: "list" | "watch" = "list";
    try {
      if (resourceVersion === "") {
        const list = await unlessAborted(o.source.list(), signal);
        if (list === undefined) return;
        o.sink.replace(list.items);
        resourceVersion = list.resourceVersion;
        listedAtMs = o.clock.nowMs();
        o.log.info({ kind, reason: listReason, result: list.items.length }, "listed");
        o.onListed?.(listReason, list.items.length);
      }
      operation = "watch";
      const startedMs = o.clock.nowMs();
      let events = 0;
      const onEvent = (e: WatchEvent): void => {
        events += 1;
        failures = 0;
        const rv = resourceVersionOf(e.object);
        if (e.type === "ADDED" || e.type === "MODIFIED" || e.type === "DELETED") {
          try {
            o.sink.apply(e.type, e.object);
          } catch (err) {
            // The sink validates what it reads; this is the last guard so one object cannot stop the loop.
            o.log.warn({ kind, err, reason: "unreadable-object" }, "watch event skipped");
            o.onSkipped?.("unreadable-object");
          }
        } else if (e.type !== "BOOKMARK") {
          o.log.warn({ kind, reason: "unknown-event", field: `type: ${e.type}` }, "watch event skipped");
          o.onSkipped?.("unknown-event");
        }
        if (rv !== undefined) resourceVersion = rv;
      };
      const ended = await watchOnce(o, resourceVersion, listedAtMs, onEvent, signal);
      if (ended === "resync") {
        resourceVersion = "";
        listReason = "resync";
      } else if (ended === "server" && events === 0 && o.clock.nowMs() - startedMs < SHORT_WATCH_MS) {
        throw new Error("watch closed at once without an event");
      } else if (ended === "server") {
        failures = 0;
      }
    } catch (thrown) {
      if (signal.aborted) return;
      const err = toKubeError(thrown, `${operation === "list" ? "LIST" : "WATCH"} ${kind}`);
      failures += 1;
      o.onError?.(operation, err);
      if (isGone(err)) {
        resourceVersion = "";
        listReason = "expired";
        o.log.info({ kind, operation, reason: "expired" }, "resource version expired; listing again");
        // The first 410 relists at once; a run of them (server or proxy misbehaving) backs off.
        if (failures === 1) continue;
      }
      const delayMs = backoffMs(failures, o.backoff, o.random);
      o.log.warn({ kind, operation, err, durationMs: Math.round(delayMs) }, "list/watch failed; retrying");
      await o.wait(delayMs, signal);
    }
  }
}

/** One watch: how it ended ("server": the stream closed), or the error it failed with. */
async function watchOnce(o: ReflectorOptions, resourceVersion: string, listedAtMs: number, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<"server" | "resync" | "watchdog" | "stopped"> {
  const timeoutSeconds = Math.floor(MIN_WATCH_TIMEOUT_S * (1 + o.random()));
  const attempt = new AbortController();
  const stop = (): void => attempt.abort();
  signal.addEventListener("abort", stop, { once: true });
  let endedBy: "resync" | "watchdog" | undefined;
  const after = (ms: number, why: "resync" | "watchdog"): void =>
    void o.wait(Math.max(0, ms), attempt.signal).then(() => {
      if (attempt.signal.aborted) return;
      endedBy = why;
      attempt.abort();
    });
  after(timeoutSeconds * 1000 + WATCHDOG_GRACE_MS, "watchdog");
  if (o.resyncMs !== undefined && o.resyncMs > 0) after(listedAtMs + o.resyncMs - o.clock.nowMs(), "resync");
  try {
    await o.source.watch({ resourceVersion, timeoutSeconds }, onEvent, attempt.signal);
  } finally {
    signal.removeEventListener("abort", stop);
    attempt.abort(); // cancels the timers
  }
  if (signal.aborted) return "stopped";
  if (endedBy === "watchdog") o.log.warn({ kind: o.source.resource, durationMs: timeoutSeconds * 1000 + WATCHDOG_GRACE_MS }, "watch silent past its timeout; reconnecting");
  return endedBy ?? "server";
}

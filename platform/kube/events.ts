/**
 * EventRecorder: builds the core/v1 Event (eventBody.ts) and hands it to a sink, `POST
 * /api/v1/namespaces/{ns}/events` for the client-node adapter, the object store for the in-memory one.
 */
import type { CoreV1Api, CoreV1Event } from "@kubernetes/client-node";
import type { Logger } from "../log.js";
import type { Clock } from "../clock.js";
import { buildEvent, eventNamespace } from "./eventBody.js";
import { toKubeError } from "./errors.js";
import type { EventRecord, EventRecorder, EventRecorderOptions } from "./ports.js";

/** Where a built Event goes; rejects with whatever the transport throws. */
export type EventSink = (namespace: string, event: CoreV1Event) => Promise<unknown>;

export function coreV1EventSink(core: CoreV1Api): EventSink {
  return (namespace, body) => core.createNamespacedEvent({ namespace, body });
}

/**
 * Events are diagnostics: losing one must never fail an admission or a scheduling decision, so record()
 * resolves whatever happens, after logging the error, counting it (`failedTotal`) and calling `onError`.
 */
export class KubeEventRecorder implements EventRecorder {
  #failedTotal = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly reportingInstance: string,
    private readonly options: EventRecorderOptions = {},
  ) {}

  /** Events that could not be created since start. */
  get failedTotal(): number {
    return this.#failedTotal;
  }

  async record(e: EventRecord): Promise<void> {
    const namespace = eventNamespace(e);
    try {
      await this.sink(namespace, buildEvent(e, this.clock.nowMs(), this.reportingInstance));
    } catch (raw) {
      const err = toKubeError(raw, `POST events ${namespace}`);
      this.#failedTotal += 1;
      this.log.warn({ err, namespace, name: e.regarding.name, kind: e.regarding.kind, reason: e.reason }, "kubernetes event not recorded");
      try {
        this.options.onError?.(err, e);
      } catch (callbackErr) {
        // record() promises to resolve; a broken callback is a bug to see in the logs, not an outage.
        this.log.error({ err: callbackErr }, "event error callback threw");
      }
    }
  }
}

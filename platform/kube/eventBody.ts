/**
 * The core/v1 Event both EventRecorder adapters send, built in one place so the in-memory recorder stores
 * exactly what the client-node one POSTs.
 *
 * Limits come from the API server's legacy Event validation (pkg/apis/core/validation/events.go), which
 * core/v1 creates go through: once `eventTime` is set, `reportingComponent`, `reportingInstance`, `action`
 * and `reason` are required; reason and action ≤ 128, reportingInstance ≤ 128, message ≤ 1024 (bytes).
 */
import type { CoreV1Event } from "@kubernetes/client-node";
import type { EventRecord } from "./ports.js";

/**
 * metav1.MicroTime as client-node's V1MicroTime writes it (six fractional digits), defined here so the
 * Event body does not load client-node at runtime (the node agent builds Events too).
 */
export class MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }
}

/** `NoteLengthLimit`: the server counts bytes (Go `len`), so we cut on UTF-8 bytes, never mid-character. */
export const EVENT_MESSAGE_MAX_BYTES = 1024;
/** `ReasonLengthLimit`, `ActionLengthLimit`, `ReportingInstanceLengthLimit`. */
export const EVENT_FIELD_MAX_CHARS = 128;
export const EVENT_SOURCE_COMPONENT = "gpu-steward";
/** A qualified name, as the server requires for reportingComponent. */
export const EVENT_REPORTING_COMPONENT = "gpu-steward.io/controller";

/** Cluster-scoped objects have no namespace; their Events go to `default`, as client-go's recorder does. */
export function eventNamespace(e: EventRecord): string {
  return e.regarding.namespace === "" ? "default" : e.regarding.namespace;
}

export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, "utf8") <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}

export function buildEvent(e: EventRecord, nowMs: number, reportingInstance: string): CoreV1Event {
  const namespace = eventNamespace(e);
  const now = new Date(nowMs);
  const reason = e.reason.slice(0, EVENT_FIELD_MAX_CHARS);
  return {
    apiVersion: "v1",
    kind: "Event",
    // The server appends a random suffix; `<name>.` is the convention kubectl describe readers know.
    metadata: { generateName: `${e.regarding.name}.`, namespace },
    involvedObject: {
      apiVersion: e.regarding.apiVersion,
      kind: e.regarding.kind,
      namespace: e.regarding.namespace === "" ? undefined : e.regarding.namespace,
      name: e.regarding.name,
      uid: e.regarding.uid,
    },
    type: e.type,
    reason,
    message: truncateUtf8(e.message, EVENT_MESSAGE_MAX_BYTES),
    action: (e.action ?? reason).slice(0, EVENT_FIELD_MAX_CHARS),
    count: 1,
    source: { component: EVENT_SOURCE_COMPONENT },
    firstTimestamp: now,
    lastTimestamp: now,
    // MicroTime: the server rejects eventTime without six fractional digits; V1MicroTime serialises them.
    eventTime: new MicroTime(nowMs),
    reportingComponent: EVENT_REPORTING_COMPONENT,
    // Required by the server once eventTime is set; an empty pod name must not cost us the Event.
    reportingInstance: (reportingInstance || "unknown").slice(0, EVENT_FIELD_MAX_CHARS),
  };
}

import { Counter, Histogram, type Registry } from "prom-client";

/** What one gate-loop pass did with one job (or one stale row), a closed set. */
export type GateOutcome =
  | "submitted"
  | "pending"
  | "patched"
  | "no-recommendation"
  | "unreadable"
  | "given-up"
  | "conflict"
  | "gone"
  | "error";

export const GATE_OUTCOMES: readonly GateOutcome[] = ["submitted", "pending", "patched", "no-recommendation", "unreadable", "given-up", "conflict", "gone", "error"];

/** Gate loop series. Labels are closed sets; no job or namespace names. */
export class GateLoopMetrics {
  readonly outcomes: Counter<"outcome">;
  readonly fallbacks: Counter<"reason">;
  readonly gatedDuration: Histogram<"result">;

  constructor(registry: Registry) {
    this.outcomes = new Counter({
      name: "gpu_steward_webhook_gate_outcomes_total",
      help: `Gated jobs handled by the rightsizing gate loop, per pass. outcome=${GATE_OUTCOMES.join("|")}`,
      labelNames: ["outcome"],
      registers: [registry],
    });
    this.fallbacks = new Counter({
      name: "gpu_steward_webhook_gate_fallbacks_total",
      help: "Gated jobs sized by the embedded model instead of ADO. reason=submit-failed|timed-out|ado-failed",
      labelNames: ["reason"],
      registers: [registry],
    });
    this.gatedDuration = new Histogram({
      name: "gpu_steward_webhook_gate_wait_seconds",
      help: "Time from ADO submission to the gate's removal. result=patched|no-recommendation|unreadable|given-up",
      labelNames: ["result"],
      // ADO answers in seconds to a couple of minutes; the default --ado-gate-max-wait-ms is 120 s.
      buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 180, 300, 600],
      registers: [registry],
    });
  }
}

import { Counter, Gauge, type Registry } from "prom-client";

export type SharedStateOperation = "publish" | "load";
/**
 * publish: written | unchanged | too-large | error. load: adopted (model or spend taken) | current
 * (nothing newer) | missing (no ConfigMap yet) | invalid (a document or part refused) | error.
 */
export type SharedStateResult = "written" | "unchanged" | "too-large" | "adopted" | "current" | "missing" | "invalid" | "error";

export class SharedStateMetrics {
  readonly operations: Counter<"operation" | "result">;
  readonly lastSuccess: Gauge<"operation">;

  constructor(registry: Registry) {
    this.operations = new Counter({
      name: "gpu_steward_shared_state_operations_total",
      help: "Shared-state snapshot operations: operation=publish (leader; result=written|unchanged|too-large|error) or load (followers; result=adopted|current|missing|invalid|error)",
      labelNames: ["operation", "result"],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({
      name: "gpu_steward_shared_state_last_success_timestamp_seconds",
      help: "When the shared-state snapshot was last published (leader) or read (followers), Unix seconds",
      labelNames: ["operation"],
      registers: [registry],
    });
  }

  count(operation: SharedStateOperation, result: SharedStateResult, nowMs: number): void {
    this.operations.labels(operation, result).inc();
    if (result !== "error" && result !== "invalid" && result !== "too-large") this.lastSuccess.labels(operation).set(nowMs / 1000);
  }
}

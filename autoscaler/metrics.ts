/**
 * The loop's series. Per-server gauges are labelled by server name (the operator's own, few: one per
 * inference Deployment) and removed when the server stops being managed, as kueue does per queue.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Actuation } from "./actuator.js";

export type CyclePhase = "collect" | "optimize" | "actuate" | "total";

export class AutoscalerMetrics {
  readonly phaseSeconds: Histogram<"phase">;
  readonly cycles: Counter<"result">;
  readonly decisions: Counter<"result">;
  readonly loadSource: Counter<"source">;
  readonly replicas: Gauge<"server" | "kind">;
  readonly costPerHour: Gauge<"server">;
  readonly latencySeconds: Gauge<"server" | "metric" | "source">;
  #servers = new Set<string>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.phaseSeconds = new Histogram({
      name: "gpu_steward_autoscaler_cycle_phase_duration_seconds",
      help: "Time per cycle phase; phase=collect|optimize|actuate|total",
      labelNames: ["phase"],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.cycles = new Counter({ name: "gpu_steward_autoscaler_cycles_total", help: "Cycles run; result=ok|error", labelNames: ["result"], registers });
    this.decisions = new Counter({
      name: "gpu_steward_autoscaler_decisions_total",
      help: "Per-server outcomes of cycles; result=changed|unchanged|held|failed|dry-run",
      labelNames: ["result"],
      registers,
    });
    this.loadSource = new Counter({ name: "gpu_steward_autoscaler_load_source_total", help: "Where each server's load came from; source=nodereport|prometheus|labels", labelNames: ["source"], registers });
    this.replicas = new Gauge({ name: "gpu_steward_autoscaler_server_replicas", help: "Replicas per server; kind=current|planned|target", labelNames: ["server", "kind"], registers });
    this.costPerHour = new Gauge({ name: "gpu_steward_autoscaler_server_cost", help: "Planned cost per server (accelerator-data cost units per hour)", labelNames: ["server"], registers });
    this.latencySeconds = new Gauge({
      name: "gpu_steward_autoscaler_server_latency_seconds",
      help: "Mean latency per server; metric=ttft|itl, source=predicted (optimizer) | observed (Prometheus)",
      labelNames: ["server", "metric", "source"],
      registers,
    });
  }

  /** Records one actuated cycle's per-server figures and drops series of servers no longer seen. */
  observeServers(actuations: readonly Actuation[], plan: { allocations: Record<string, { cost: number; itlAverage: number; ttftAverage: number }> }): void {
    const seen = new Set<string>();
    for (const a of actuations) {
      const d = a.decision;
      const server = d.server.document.name;
      seen.add(server);
      this.decisions.inc({ result: a.result });
      this.replicas.set({ server, kind: "current" }, d.currentReplicas);
      this.replicas.set({ server, kind: "target" }, d.targetReplicas);
      if (d.plannedReplicas !== undefined) this.replicas.set({ server, kind: "planned" }, d.plannedReplicas);
      const planned = plan.allocations[server];
      if (planned !== undefined) {
        this.costPerHour.set({ server }, planned.cost);
        this.latencySeconds.set({ server, metric: "ttft", source: "predicted" }, planned.ttftAverage / 1000);
        this.latencySeconds.set({ server, metric: "itl", source: "predicted" }, planned.itlAverage / 1000);
      }
      const { ttftMs, itlMs } = d.server.observed;
      if (ttftMs !== undefined) this.latencySeconds.set({ server, metric: "ttft", source: "observed" }, ttftMs / 1000);
      if (itlMs !== undefined) this.latencySeconds.set({ server, metric: "itl", source: "observed" }, itlMs / 1000);
    }
    for (const gone of [...this.#servers].filter((s) => !seen.has(s))) {
      for (const kind of ["current", "planned", "target"]) this.replicas.remove({ server: gone, kind });
      this.costPerHour.remove({ server: gone });
      for (const metric of ["ttft", "itl"]) for (const source of ["predicted", "observed"]) this.latencySeconds.remove({ server: gone, metric, source });
    }
    this.#servers = seen;
  }
}

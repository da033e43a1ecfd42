import { Counter, Histogram, type Registry } from "prom-client";

/** Extender series. Labels are closed sets; no node or pod names. */
export class ExtenderMetrics {
  readonly requests: Counter<"verb" | "result">;
  readonly duration: Histogram<"verb">;
  readonly nodes: Counter<"outcome">;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: "gpu_steward_extender_requests_total",
      help: "Extender calls answered. verb=filter|prioritize; result=ok|invalid (400)|error (internal error: every node passed with neutral scores)",
      labelNames: ["verb", "result"],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: "gpu_steward_extender_request_duration_seconds",
      help: "Time from request body received to response written. verb=filter|prioritize",
      labelNames: ["verb"],
      // The scheduler's extender timeout defaults to 5 s; we aim for milliseconds at thousands of nodes.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    });
    this.nodes = new Counter({
      name: "gpu_steward_extender_filter_nodes_total",
      help: "Nodes judged by /filter. outcome=passed|failed|unresolvable",
      labelNames: ["outcome"],
      registers: [registry],
    });
  }
}

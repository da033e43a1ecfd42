import { Counter, type Registry } from "prom-client";

/**
 * Cluster-view sync series. `resource` is nodes|pods; no object names. A steady rise of
 * `…_lists_total{reason="expired"}` means watches fall behind the API server's history window.
 */
export class ClusterViewSyncMetrics {
  readonly lists: Counter<"resource" | "reason">;
  readonly errors: Counter<"resource" | "operation">;
  readonly skipped: Counter<"resource">;

  constructor(registry: Registry) {
    this.lists = new Counter({
      name: "gpu_steward_cluster_view_lists_total",
      help: "Full lists fed to the cluster view. resource=nodes|pods, reason=initial|expired|resync",
      labelNames: ["resource", "reason"],
      registers: [registry],
    });
    this.errors = new Counter({
      name: "gpu_steward_cluster_view_errors_total",
      help: "Failed lists and watches (each followed by a retry). resource=nodes|pods, operation=list|watch",
      labelNames: ["resource", "operation"],
      registers: [registry],
    });
    this.skipped = new Counter({
      name: "gpu_steward_cluster_view_skipped_total",
      help: "Objects or watch events skipped because they could not be read. resource=nodes|pods",
      labelNames: ["resource"],
      registers: [registry],
    });
  }
}

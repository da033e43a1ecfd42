/**
 * Spend loop series. The decision gauges are read on scrape from the decision the extender is using
 * right now (the leader's latest, or the stored one on a follower), so every replica reports what it
 * routes by, and a series disappears when routing goes off instead of freezing at its last value.
 * Labels: `pool` is the one configured pool; `source` is opencost|prometheus|ledger|fixed.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { SpendRecord } from "./stateStore.js";

/** What one cycle of the loop ended with. */
export type SpendCycleResult = "decided" | "source-error" | "failed";

export class SpendMetrics {
  readonly sourceErrors: Counter<"source">;
  readonly cycles: Counter<"result">;
  readonly lastSuccess: Gauge<"source">;

  /** `current` answers the record behind the routing in use, undefined when routing is off. */
  constructor(registry: Registry, current: () => SpendRecord | undefined) {
    const fromDecision = (name: string, help: string, read: (r: SpendRecord) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["pool"],
        registers: [registry],
        collect() {
          this.reset();
          const r = current();
          if (r !== undefined) this.labels(r.pool).set(read(r));
        },
      });
    fromDecision("gpu_steward_spend_routing_percent", "Share of GPU jobs routed to the credit pool, percent (0 while the pool is closed)", (r) => r.decision.routingPct);
    fromDecision("gpu_steward_spend_pool_closed", "1 when the pool gets no new pods: month-to-date spend at the target, or projected to reach it within the stop horizon", (r) => (r.decision.reason === "controlled" ? 0 : 1));
    fromDecision("gpu_steward_spend_month_to_date_usd", "Credit pool spend this billing month, USD, as the source reported it", (r) => r.figures.monthToDateUsd);
    fromDecision("gpu_steward_spend_daily_rate_usd", "Credit pool average spend per day over the lookback, USD/day", (r) => r.figures.dailyRateUsd);
    fromDecision("gpu_steward_spend_target_usd", "The month's spend target: budget × (1 − safety margin), USD", (r) => r.decision.targetUsd);
    fromDecision("gpu_steward_spend_ideal_usd", "Where month-to-date spend should be by the decision's time on the trajectory, USD", (r) => r.decision.idealUsd);
    fromDecision("gpu_steward_spend_error_percent", "(ideal − spend) ÷ target × 100; above 0 the pool is behind schedule", (r) => r.decision.errorPct);
    new Gauge({
      name: "gpu_steward_spend_pid_component_percent",
      help: "The PID's parts of the last decision, percentage points. term=p|i|d",
      labelNames: ["pool", "term"],
      registers: [registry],
      collect() {
        this.reset();
        const r = current();
        if (r === undefined) return;
        const { p, i, d } = r.decision.components;
        this.labels(r.pool, "p").set(p);
        this.labels(r.pool, "i").set(i);
        this.labels(r.pool, "d").set(d);
      },
    });
    this.sourceErrors = new Counter({
      name: "gpu_steward_spend_source_errors_total",
      help: "Spend source reads that failed (code SPEND_SOURCE); the routing stayed as it was. source=opencost|prometheus|ledger|fixed",
      labelNames: ["source"],
      registers: [registry],
    });
    this.cycles = new Counter({
      name: "gpu_steward_spend_cycles_total",
      help: "Spend loop cycles on the leader. result=decided|source-error|failed (store or state error, code INTERNAL)",
      labelNames: ["result"],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({
      name: "gpu_steward_spend_last_success_timestamp_seconds",
      help: "When the leader last made a decision from the source's figures, unix seconds. source=opencost|prometheus|ledger|fixed",
      labelNames: ["source"],
      registers: [registry],
    });
  }
}

/**
 * Scoring series (seed spec §C.8 under our prefix). Model gauges are read from `model.metrics()` on
 * scrape, as the seed did. Labels are closed sets: job and GPU types come from clients and are left out
 * (the seed's `observe_events_total{job_type,gpu_type}` would grow a series per name a client sends).
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { regretEstimate, type DecisionMode, type ScoringModel } from "../../core/scoring/index.js";
import type { ScoringStore } from "./store.js";

export type ScoringEndpoint = "score" | "observe" | "assign" | "info";
/** What an observe request did: learned runtime stats, learned interference, or a failed run ignored. */
export type ObserveResult = "runtime" | "interference" | "ignored";

export interface ScoringMetricsSource {
  model: Pick<ScoringModel, "metrics">;
  store?: Pick<ScoringStore, "pendingObservations" | "checkpointsSaved" | "checkpointFailures">;
}

export class ScoringMetrics {
  readonly requests: Counter<"endpoint" | "code">;
  readonly requestDuration: Histogram<"endpoint">;
  readonly decisions: Counter<"decision_type">;
  readonly observations: Counter<"learned">;

  constructor(registry: Registry, source: ScoringMetricsSource) {
    const { model, store } = source;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
    /** A counter mirroring a monotonic number kept elsewhere: each scrape adds what it grew by. */
    const mirroredCounter = (name: string, help: string, read: () => number) => {
      let reported = 0;
      return new Counter({ name, help, registers: [registry], collect() { const now = read(); if (now > reported) this.inc(now - reported); reported = now; } });
    };

    this.requests = new Counter({
      name: "gpu_steward_scoring_requests_total",
      help: "Scoring API requests answered. endpoint=score|observe|assign|info; code=200|400|413|415|500",
      labelNames: ["endpoint", "code"],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: "gpu_steward_scoring_request_duration_seconds",
      help: "Time from request to response, body parsing included. endpoint=score|observe|assign|info",
      labelNames: ["endpoint"],
      // score is sub-millisecond; observe waits for an fsync (ms, tens on slow disks); assign can run ~0.1 s.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.decisions = new Counter({
      name: "gpu_steward_scoring_decisions_total",
      help: "GPU-type decisions. decision_type=exploration (uncertain pick allowed)|exploitation|capped (uncertain pick refused by the exploration cap; lowest mean taken)",
      labelNames: ["decision_type"],
      registers: [registry],
    });
    this.observations = new Counter({
      name: "gpu_steward_scoring_observations_total",
      help: "Observations acknowledged. learned=runtime|interference|ignored (failed run, not learned)",
      labelNames: ["learned"],
      registers: [registry],
    });
    gauge("gpu_steward_scoring_exploration_ratio", "Exploration decisions ÷ decisions since this process started", () => model.metrics().explorationRatio);
    gauge("gpu_steward_scoring_avg_uncertainty_seconds", "Mean runtime σ over the learned (job type, GPU type) pairs; 0 when none", () => model.metrics().avgUncertainty);
    gauge("gpu_steward_scoring_regret_estimate", "max(0, exploration ratio − 0.1), the seed's rough regret gauge", () => regretEstimate(model.metrics().explorationRatio));
    gauge("gpu_steward_scoring_model_pairs", "(job type, GPU type) pairs with learned runtime stats", () => model.metrics().statsCount);
    gauge("gpu_steward_scoring_interference_pairs", "(job type, co-located job type) pairs with a learned slowdown", () => model.metrics().interferencePairs);
    if (store !== undefined) {
      gauge("gpu_steward_scoring_pending_observations", "Acknowledged observations not yet in a checkpoint (replayed on restart)", () => store.pendingObservations());
      mirroredCounter("gpu_steward_scoring_checkpoints_total", "Model checkpoints written to the store", () => store.checkpointsSaved);
      mirroredCounter("gpu_steward_scoring_checkpoint_failures_total", "Model checkpoints that failed; the journal keeps the observations and the next one retries", () => store.checkpointFailures);
    }
  }

  decided(mode: DecisionMode): void {
    this.decisions.labels(mode).inc();
  }

  observed(result: ObserveResult): void {
    this.observations.labels(result).inc();
  }
}

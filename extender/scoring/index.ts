/** Public surface of extender/scoring: the scoring API router, its durable model state and its metrics. */
export { createScoringApi, SCORING_MAX_BODY_BYTES, type ScoringApiDeps } from "./api.js";
export {
  openScoringState,
  ScoringStore,
  DEFAULT_CHECKPOINT_EVERY_OBSERVATIONS,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  type RecordedObservation,
  type ScoringState,
  type ScoringStoreOptions,
} from "./store.js";
export { ScoringMetrics, type ScoringMetricsSource } from "./metrics.js";

export { DEFAULT_SHARED_STATE_INTERVAL_MS, DEFAULT_SHARED_STATE_NAME, SharedState, type SharedStateDeps } from "./sharedState.js";
export { latestObservationMs, MAX_DOCUMENT_BYTES, readEnvelope, SHARED_STATE_KEY, type SharedStateDocument } from "./document.js";
export { SharedStateMetrics } from "./metrics.js";

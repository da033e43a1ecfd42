/**
 * The two optimizer generations the re-implementation can reproduce (spec §0). v078 is the
 * default; legacy-v070 exists because the sample data's committed solutions were made by it.
 */
export const INFERENCE_PROFILES = ["v078", "legacy-v070"] as const;
export type InferenceProfile = (typeof INFERENCE_PROFILES)[number];
export const DEFAULT_INFERENCE_PROFILE: InferenceProfile = "v078";

export interface ProfileRules {
  /** Service-time law: chunked prefill (v078) or the older iteration law. */
  law: "chunked" | "legacy";
  /** Waiting room beyond the batch: the server's maxQueueSize (v078) or 10 × N (legacy). */
  queueRoom(serverMaxQueueSize: number, maxBatchSize: number): number;
  /** Legacy Analyze refuses rates above the stable range; v078 lets blocking saturate throughput. */
  rateGuard: boolean;
  /** v078 skips (model, accelerator) pairs whose α = β = γ = 0 (a tuner that has not converged). */
  zeroParameterGuard: boolean;
  /** v078 fails the cycle when any server is left without an allocation (§3.6). */
  failOnUnallocated: boolean;
  /** v078 load documents carry `throughput`; legacy ones do not. */
  echoThroughput: boolean;
}

export const PROFILE_RULES: Readonly<Record<InferenceProfile, ProfileRules>> = {
  v078: {
    law: "chunked",
    queueRoom: (serverMaxQueueSize) => serverMaxQueueSize,
    rateGuard: false,
    zeroParameterGuard: true,
    failOnUnallocated: true,
    echoThroughput: true,
  },
  "legacy-v070": {
    law: "legacy",
    queueRoom: (_serverMaxQueueSize, maxBatchSize) => 10 * maxBatchSize,
    rateGuard: true,
    zeroParameterGuard: false,
    failOnUnallocated: false,
    echoThroughput: false,
  },
};

export function isInferenceProfile(value: string): value is InferenceProfile {
  return (INFERENCE_PROFILES as readonly string[]).includes(value);
}

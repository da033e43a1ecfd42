import type { Bucket } from "./histogramQuantile.js";
import { histogramSeries, sumByLe } from "./histogramSeries.js";
import type { Sample } from "./exposition.js";

/** The latencies a tenant's SLO can be about. */
export type LatencyKind = "e2e" | "ttft" | "itl";

/**
 * Histogram families per kind, first found wins. vLLM 0.11 renamed the inter-token histogram
 * (`time_per_output_token` → `inter_token_latency`); older servers, like the fixture's, only have the
 * old name. SGLang exports the same shapes under its own prefix.
 */
export const LATENCY_FAMILIES: Readonly<Record<LatencyKind, readonly string[]>> = {
  e2e: ["vllm:e2e_request_latency_seconds", "sglang:e2e_request_latency_seconds"],
  ttft: ["vllm:time_to_first_token_seconds", "sglang:time_to_first_token_seconds"],
  itl: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds", "sglang:inter_token_latency_seconds"],
};

export interface LatencyHistogram {
  readonly family: string;
  /** Cumulative buckets summed over the pod's series (engines, models). */
  readonly buckets: Bucket[];
}

/** The pod's histogram of one latency kind, or undefined when the server exports none of its families. */
export function latencyHistogram(samples: readonly Sample[], kind: LatencyKind): LatencyHistogram | undefined {
  for (const family of LATENCY_FAMILIES[kind]) {
    const series = histogramSeries(samples, family);
    if (series.length > 0) return { family, buckets: sumByLe(series) };
  }
  return undefined;
}

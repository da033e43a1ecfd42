import { histogramQuantile, type Bucket } from "./histogramQuantile.js";

/** Why a window gave no latency: a tenant in this state is "unknown", never taken as healthy. */
export type NoLatencyReason =
  /** First scrape of the series: there is nothing to subtract yet. */
  | "first-scrape"
  /** No request finished in the window. */
  | "no-requests"
  /** Fewer requests than `minSamples`: one slow request would decide the p99. */
  | "too-few-requests"
  /** No `+Inf` bucket or fewer than 2 buckets: histogram_quantile gives NaN. */
  | "unusable-buckets";

export type WindowLatency =
  | { readonly kind: "value"; readonly seconds: number; readonly requests: number; readonly counterReset: boolean }
  | { readonly kind: "none"; readonly reason: NoLatencyReason; readonly requests: number };

export interface WindowDelta {
  readonly buckets: Bucket[];
  /** True when the counters went backwards (server restarted), so `now` itself is the window. */
  readonly counterReset: boolean;
}

function sameBounds(a: readonly Bucket[], b: readonly Bucket[]): boolean {
  return a.length === b.length && a.every((x, i) => x.le === b[i]!.le);
}

/**
 * What happened between two scrapes of one cumulative histogram: Δ = now − prev per bucket. Any
 * negative Δ means the counters restarted (process restart), and then everything counted since the
 * restart is `now` itself. A changed bucket layout (vLLM upgrade) can only come with a restart too.
 */
export function windowDelta(prev: readonly Bucket[], now: readonly Bucket[]): WindowDelta {
  if (!sameBounds(prev, now)) return { buckets: now.map((b) => ({ ...b })), counterReset: true };
  const delta = now.map((b, i) => ({ le: b.le, count: b.count - prev[i]!.count }));
  if (delta.some((b) => b.count < 0)) return { buckets: now.map((b) => ({ ...b })), counterReset: true };
  return { buckets: delta, counterReset: false };
}

/** Observations counted in cumulative buckets: the `+Inf` bucket's count (0 when it is missing). */
export function requestCount(buckets: readonly Bucket[]): number {
  return buckets.find((b) => b.le === Number.POSITIVE_INFINITY)?.count ?? 0;
}

/**
 * The q-quantile (in seconds) of the requests that finished between two scrapes. `prev` undefined
 * means the first scrape: cumulative-since-start counts are not a window, so no value.
 */
export function windowQuantile(q: number, prev: readonly Bucket[] | undefined, now: readonly Bucket[], minSamples = 1): WindowLatency {
  if (prev === undefined) return { kind: "none", reason: "first-scrape", requests: 0 };
  const { buckets, counterReset } = windowDelta(prev, now);
  const requests = requestCount(buckets);
  const hasInf = buckets.some((b) => b.le === Number.POSITIVE_INFINITY);
  if (!hasInf || new Set(buckets.map((b) => b.le)).size < 2) return { kind: "none", reason: "unusable-buckets", requests };
  if (requests <= 0) return { kind: "none", reason: "no-requests", requests };
  if (requests < minSamples) return { kind: "none", reason: "too-few-requests", requests };
  const seconds = histogramQuantile(q, buckets);
  if (!Number.isFinite(seconds)) return { kind: "none", reason: "unusable-buckets", requests };
  return { kind: "value", seconds, requests, counterReset };
}

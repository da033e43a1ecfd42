import type { Bucket } from "./histogramQuantile.js";
import { parseSampleValue, type Sample } from "./exposition.js";

/** One histogram series of a family: its labels (without `le`) and cumulative buckets sorted by bound. */
export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets: Bucket[];
}

/** Stable key of a label set, order-independent, for matching a series across scrapes. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

/**
 * The series of histogram `family` (e.g. `vllm:e2e_request_latency_seconds`) from its `_bucket`
 * samples. `_sum` and `_count` are not needed for a quantile and may come before the buckets (they do
 * in the vLLM dump). A bucket whose `le` is not a number is dropped.
 */
export function histogramSeries(samples: readonly Sample[], family: string): HistogramSeries[] {
  const bucketName = `${family}_bucket`;
  const byKey = new Map<string, { labels: Record<string, string>; buckets: Bucket[] }>();
  for (const s of samples) {
    if (s.name !== bucketName) continue;
    const { le: leText, ...rest } = s.labels;
    const le = leText === undefined ? undefined : parseSampleValue(leText);
    if (le === undefined || Number.isNaN(le)) continue;
    const key = labelKey(rest);
    let series = byKey.get(key);
    if (series === undefined) {
      series = { labels: rest, buckets: [] };
      byKey.set(key, series);
    }
    series.buckets.push({ le, count: s.value });
  }
  return [...byKey.values()].map((s) => ({ labels: s.labels, buckets: s.buckets.sort((a, b) => a.le - b.le) }));
}

/**
 * `sum by (le)` over series: one pod's engines (V1 `engine="0"`, `"1"`…) or models make one latency
 * distribution for the tenant. Only bounds present in every series are kept, as a bucket missing from
 * one series would undercount that bound.
 */
export function sumByLe(series: readonly HistogramSeries[]): Bucket[] {
  if (series.length === 0) return [];
  const common = series
    .map((s) => new Set(s.buckets.map((b) => b.le)))
    .reduce((acc, set) => new Set([...acc].filter((le) => set.has(le))));
  const totals = new Map<number, number>();
  for (const s of series) {
    for (const b of s.buckets) if (common.has(b.le)) totals.set(b.le, (totals.get(b.le) ?? 0) + b.count);
  }
  return [...totals.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

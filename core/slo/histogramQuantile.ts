/**
 * One bucket of a classic Prometheus histogram: `count` observations were ≤ `le` (cumulative).
 * `le` is +Infinity for the `+Inf` bucket.
 */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/**
 * Relative tolerance under which two neighbouring cumulative counts are taken as equal. Counts that
 * went through a float sum (a rate, a `sum by (le)` over engines) can come out a few ulps apart in
 * the wrong direction; Prometheus uses the same 1e-12 so a 1-ulp dip is not read as a real one.
 */
const SMALL_DELTA_TOLERANCE = 1e-12;

function almostEqual(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  const diff = Math.abs(a - b);
  const norm = Math.min(Math.abs(a) + Math.abs(b), Number.MAX_VALUE);
  // Below the smallest normal float the relative test means nothing; compare absolutely there.
  if (a === 0 || b === 0 || norm < 2.2250738585072014e-308) return diff < tolerance * 2.2250738585072014e-308;
  return diff / norm < tolerance;
}

/** Buckets sorted by bound, equal bounds summed (two series that both export `le="1"`). */
function coalesce(buckets: readonly Bucket[]): Bucket[] {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const out: Bucket[] = [];
  for (const b of sorted) {
    const last = out.at(-1);
    if (last !== undefined && last.le === b.le) out[out.length - 1] = { le: b.le, count: last.count + b.count };
    else out.push({ le: b.le, count: b.count });
  }
  return out;
}

/** Raises any count below its predecessor to it, as Prometheus does (scrapes are not atomic across buckets). */
function forceMonotonic(buckets: Bucket[]): void {
  let prev = buckets[0]?.count ?? 0;
  for (let i = 1; i < buckets.length; i++) {
    const cur = buckets[i]!.count;
    if (cur === prev) continue;
    if (almostEqual(prev, cur, SMALL_DELTA_TOLERANCE) || cur < prev) {
      buckets[i] = { le: buckets[i]!.le, count: prev };
      continue;
    }
    prev = cur;
  }
}

/**
 * The q-quantile of a classic histogram, computed the way PromQL's `histogram_quantile` does:
 *
 * - q < 0 → −∞, q > 1 → +∞, q NaN → NaN;
 * - no `+Inf` bucket, fewer than 2 buckets after merging equal bounds, or 0 observations → NaN;
 * - rank = q · total; b = first bucket (not counting `+Inf`) with cumulative count ≥ rank;
 * - rank only reached in `+Inf` → the upper bound of the highest finite bucket;
 * - b is the first bucket and its bound ≤ 0 → that bound (no interpolation below 0);
 * - otherwise linear interpolation inside b, whose lower edge is the previous bound (0 for the first):
 *   lower + (le_b − lower) · (rank − c_{b−1}) / (c_b − c_{b−1}).
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  if (buckets.length === 0) return Number.NaN;
  const merged = coalesce(buckets);
  if (merged.at(-1)!.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  forceMonotonic(merged);
  if (merged.length < 2) return Number.NaN;
  const total = merged.at(-1)!.count;
  if (total === 0) return Number.NaN;

  let rank = q * total;
  // Search the finite buckets only; not found means the rank lies in +Inf.
  let b = merged.findIndex((bucket, i) => i < merged.length - 1 && bucket.count >= rank);
  if (b === -1) b = merged.length - 1;
  if (b === merged.length - 1) return merged[merged.length - 2]!.le;
  const hit = merged[b]!;
  if (b === 0 && hit.le <= 0) return hit.le;

  let lower = 0;
  let inBucket = hit.count;
  if (b > 0) {
    const below = merged[b - 1]!;
    lower = below.le;
    inBucket -= below.count;
    rank -= below.count;
  }
  return lower + (hit.le - lower) * (rank / inBucket);
}

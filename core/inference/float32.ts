/**
 * The original optimizer computes in IEEE float32 (state probabilities in float64). Rounding
 * after every operation with Math.fround, in the original's evaluation order, reproduces its
 * numbers bit for bit (spec §0); plain float64 would drift by up to ~5e-5 relative in latencies.
 */
export const f32 = Math.fround;

/** Largest finite float32 (Go's math.MaxFloat32): the "never move off this candidate" delta. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

/** float64(float32(1e-6)): the bisection's relative tolerance, compared in float64 as the original does. */
export const BISECTION_TOLERANCE = f32(1e-6);

/**
 * The float64 nearest to the shortest decimal that reads back as the same float32, so JSON
 * output prints `145.31784` as the original does rather than `145.31784057617188`.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return x;
}

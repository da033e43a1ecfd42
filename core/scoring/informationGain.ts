/**
 * Expected information from one more run, in nats, for a Gaussian runtime belief with variance σ²
 * observed through noise τ²:  IG(σ²) = ½·ln(1 + σ²/τ²). Zero for a known pair, growing with σ².
 * Written as ln(1 + x) rather than log1p so results match the seed's vectors bit for bit.
 */
export function informationGain(variance: number, tauSquared: number): number {
  return 0.5 * Math.log(1 + variance / tauSquared);
}

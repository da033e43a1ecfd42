/**
 * State-dependent birth–death queue of one replica (spec §2.4): states k = 0..K (K = N + Q),
 * arrivals at λ in every state below K, completions at μ_min(k,N). Probabilities in float64,
 * statistics rounded to float32 as the original stores them.
 */
import { f32 } from "./float32.js";

export interface QueueState {
  /** X = E[min(k, N)], mean number in service. */
  avgNumInServers: number;
  /** n̄ = E[k], mean number in system. */
  avgNumInSystem: number;
  /** θ = λ·(1 − p_K), requests per ms. */
  throughput: number;
  avgRespTime: number;
  avgServTime: number;
  avgWaitTime: number;
}

/**
 * The original checks the utilisation of the *previous* solve against K before solving; a
 * fresh model reads 1, so K = 1 never becomes valid and K ≥ 2 always is (spec §2.4 quirk).
 */
export function queueIsValid(K: number, lambda: number): boolean {
  return K >= 2 && lambda >= 0 && Number.isFinite(lambda);
}

/**
 * Solves the chain at λ (requests/ms). `p` is scratch space of length ≥ K+1, reused across
 * solves so a bisection allocates nothing. One pass builds the unnormalised probabilities and
 * their sum, a second normalises and accumulates the statistics: the same operations, in the
 * same order, as the original's four passes.
 */
export function solveQueue(lambda: number, serviceRates: Float64Array, K: number, p: Float64Array): QueueState {
  const N = serviceRates.length;
  p[0] = 1;
  let sum = 1;
  for (let n = 0; n < K; n++) {
    const next = (p[n]! * lambda) / serviceRates[n < N ? n : N - 1]!;
    p[n + 1] = next;
    sum += next;
    if (!(next >= 0) || next === Infinity || sum === Infinity) return solveQueueRescaling(lambda, serviceRates, K, p);
  }
  return statistics(lambda, p, sum, K, N);
}

/** X, n̄ and throughput from unnormalised probabilities (normalised on the fly by `sum`). */
function statistics(lambda: number, p: Float64Array, sum: number, K: number, N: number): QueueState {
  let inSystem = 0;
  let inServers = 0;
  let cumulative = p[0]! / sum;
  for (let i = 1; i <= K; i++) {
    const pi = p[i]! / sum;
    inSystem += i * pi;
    cumulative += pi;
    if (i === N) inServers = inSystem + (1 - cumulative) * N;
  }
  const avgNumInServers = f32(inServers);
  const avgNumInSystem = f32(inSystem);
  const throughput = f32(lambda * f32(1 - f32(p[K]! / sum)));
  const avgRespTime = f32(avgNumInSystem / throughput);
  const avgServTime = f32(avgNumInServers / throughput);
  let avgWaitTime = f32(avgRespTime - avgServTime);
  if (avgWaitTime < 0) avgWaitTime = 0;
  return { avgNumInServers, avgNumInSystem, throughput, avgRespTime, avgServTime, avgWaitTime };
}

/**
 * The original's path when a product or the running sum overflows float64 (only at absurd
 * rates): the values so far are divided by MAXFLOAT64/K and the step is repeated.
 */
function solveQueueRescaling(lambda: number, serviceRates: Float64Array, K: number, p: Float64Array): QueueState {
  const N = serviceRates.length;
  const scale = Number.MAX_VALUE / K;
  p[0] = 1;
  for (let n = 0; n < K; n++) {
    const rate = serviceRates[n < N ? n : N - 1]!;
    let next = (p[n]! * lambda) / rate;
    while (next < 0 || !Number.isFinite(next)) {
      for (let i = 0; i <= n; i++) p[i] = p[i]! / scale;
      next = (p[n]! * lambda) / rate;
      // A zero rate makes every retry NaN; the original would spin forever here.
      if (p[n] === 0) break;
    }
    p[n + 1] = next;
  }
  let sum = 0;
  for (let n = 0; n <= K; n++) {
    sum += p[n]!;
    if (sum < 0 || !Number.isFinite(sum)) {
      sum = 0;
      for (let i = 0; i <= K; i++) {
        p[i] = p[i]! / scale;
        if (i <= n) sum += p[i]!;
      }
    }
  }
  return statistics(lambda, p, sum, K, N);
}

/**
 * Service-time laws of one replica: how long a request stays in service when B requests share
 * the batch (μ_B = B/τ(B)), and the prefill time at a (fractional) mean batch size. Every
 * operation is rounded to float32 in the original's order (spec §0, §2.2, §2.3).
 */
import { f32 } from "./float32.js";

/** Inputs of a law; every number already float32. */
export interface LawInputs {
  maxBatchSize: number;
  maxNumTokens: number;
  alpha: number;
  beta: number;
  gamma: number;
  /** L: prompt tokens per request. */
  avgInputTokens: number;
  /** m: output tokens per request (≥ 1). */
  avgOutputTokens: number;
}

export interface ServiceLaw {
  /** μ_B for B = 1..N at index B−1 (requests per ms, float32 values). */
  readonly serviceRates: Float64Array;
  /** Prefill time (ms) of a request when x requests are in service on average. */
  prefillAt(x: number): number;
  /** c_B for B = 0..N (index 0 unused, 0); absent for the legacy law, which has no chunking. */
  readonly numChunks?: readonly number[];
}

/**
 * Largest batch size at which a prompt fits the token budget M in `chunks` prefill iterations:
 * floor(max(0, (j + m)·(M − L/j) / (L + m))).
 */
function batchSizeForChunks(inp: LawInputs, chunks: number): number {
  const L = inp.avgInputTokens;
  const m = inp.avgOutputTokens;
  const M = f32(inp.maxNumTokens);
  const j = f32(chunks);
  const size = f32(f32(f32(j + m) * f32(M - f32(L / j))) / f32(L + m));
  return Math.floor(Math.max(0, size));
}

/** c_B = smallest j whose batch limit reaches B (the last j when none does). */
export function chunkTable(inp: LawInputs): number[] {
  const limits: number[] = [];
  let limit = 0;
  for (let j = 1; limit < inp.maxBatchSize; j++) {
    limit = batchSizeForChunks(inp, j);
    limits.push(limit);
  }
  const table = new Array<number>(inp.maxBatchSize + 1).fill(0);
  let j = 0;
  for (let B = 1; B <= inp.maxBatchSize; B++) {
    while (j < limits.length && limits[j]! < B) j++;
    table[B] = j < limits.length ? j + 1 : limits.length;
  }
  return table;
}

/**
 * v078 "chunked prefill" law (queue-analysis v0.7.0):
 *   W_pre(c) = (β + γ·(c+1)/2)·L,  W_dec = β·m + γ·m·(L + (m+1)/2),  δ(c) = (W_pre + W_dec)/(c + m)
 *   τ(B) = (c_B + m)·(α + B·δ(c_B)),  prefill(x, c) = c·max(0, α + (x−1)·δ(c)) + W_pre(c)
 */
export function chunkedLaw(inp: LawInputs): ServiceLaw {
  const { alpha, beta, gamma, avgInputTokens: L, avgOutputTokens: m, maxBatchSize: N } = inp;
  const numChunks = chunkTable(inp);
  const prefillWork = (c: number) => f32(f32(beta + f32(f32(gamma * f32(c + 1)) / 2)) * L);
  const decodeWork = f32(f32(beta * m) + f32(f32(gamma * m) * f32(L + f32(f32(m + 1) / 2))));
  const workPerIteration = (c: number) => f32(f32(prefillWork(c) + decodeWork) / f32(f32(c) + m));

  const serviceRates = new Float64Array(N);
  for (let B = 1; B <= N; B++) {
    const c = numChunks[B]!;
    const tau = f32(f32(f32(c) + m) * f32(alpha + f32(f32(B) * workPerIteration(c))));
    serviceRates[B - 1] = f32(f32(B) / tau);
  }
  return {
    serviceRates,
    numChunks,
    prefillAt(x: number): number {
      // The table is read at the rounded mean batch size, clamped to 1..N.
      const index = Math.min(Math.max(Math.trunc(f32(x + 0.5)), 1), N);
      const c = numChunks[index]!;
      let background = f32(alpha + f32(f32(x - 1) * workPerIteration(c)));
      if (background < 0) background = 0;
      return f32(f32(f32(c) * background) + prefillWork(c));
    },
  };
}

/**
 * legacy-v070 law (queue-analysis v0.3.0):
 *   I(x) = α + x·(β·((L+m)/(m+1)) + γ·(L + m/2)),  P(x) = L = 0 ? 0 : I(x) + (β+γ)·L
 *   D(x) = I(x) + β + γ·(L + m/2),  τ(B) = P(B) + m·D(B)
 */
export function legacyLaw(inp: LawInputs): ServiceLaw {
  const { alpha, beta, gamma, avgInputTokens: L, avgOutputTokens: m, maxBatchSize: N } = inp;
  const tokensCompute = f32(f32(L + m) / f32(m + 1));
  const tokensMemory = f32(L + f32(m / 2));
  const perRequest = f32(f32(beta * tokensCompute) + f32(gamma * tokensMemory));
  const iteration = (x: number) => f32(alpha + f32(x * perRequest));
  const prefill = (x: number) => (L === 0 ? 0 : f32(iteration(x) + f32(f32(beta + gamma) * L)));
  const decodeStep = (x: number) => f32(f32(iteration(x) + beta) + f32(gamma * tokensMemory));

  const serviceRates = new Float64Array(N);
  for (let n = 1; n <= N; n++) {
    const x = f32(n);
    serviceRates[n - 1] = f32(x / f32(prefill(x) + f32(m * decodeStep(x))));
  }
  return { serviceRates, prefillAt: prefill };
}

/**
 * One replica's queue analyzer (spec §2.2–2.6): metrics at a request rate (`analyze`) and the
 * largest rate meeting ITL/TTFT/TPS targets (`size`). Error texts are the original's, so parity
 * tests can compare them and logs read the same as the original's.
 */
import { bisect } from "./bisection.js";
import { queueIsValid, solveQueue } from "./birthDeath.js";
import { f32 } from "./float32.js";
import { goFixed, goFloat32 } from "./goFormat.js";
import { failure, success, type Outcome } from "./outcome.js";
import type { InferenceProfile } from "./profiles.js";
import { PROFILE_RULES } from "./profiles.js";
import { chunkedLaw, legacyLaw, type ServiceLaw } from "./serviceLaw.js";

/** Token budget per iteration when the configuration gives none (vLLM's default max_num_batched_tokens). */
export const DEFAULT_MAX_NUM_TOKENS = 8192;
/** λ range = [μ_1·ε, μ_N·(1 − ε)]: strictly inside the stable region. */
const EPSILON = f32(0.001);
const ONE_MINUS_EPSILON = f32(1 - EPSILON);
/** TPS targets are sized at 90 % of the top rate to keep a stability margin. */
const TPS_SAFETY = f32(1 - f32(0.1));

export interface QueueConfig {
  maxBatchSize: number;
  maxQueueSize: number;
  /** 0 → DEFAULT_MAX_NUM_TOKENS. */
  maxNumTokens: number;
  alpha: number;
  beta: number;
  gamma: number;
  avgInputTokens: number;
  avgOutputTokens: number;
}

export interface QueueMetrics {
  /** Requests per second actually served (blocking at K reduces it below the offered rate). */
  throughput: number;
  avgRespTime: number;
  avgWaitTime: number;
  avgNumInServ: number;
  avgPrefillTime: number;
  /** Mean inter-token latency (ms). */
  avgTokenTime: number;
  avgTTFT: number;
  /** Top of the stable range (requests per second). */
  maxRate: number;
  rho: number;
}

export interface SloTargets {
  ttft: number;
  itl: number;
  tps: number;
}

export interface SizeResult {
  /** Largest rate (requests per second) meeting each target on its own. */
  targetRatePerSec: SloTargets;
  /** Metrics at the smallest of the three rates. */
  metrics: QueueMetrics;
  /** TTFT, ITL and tokens/s reached there. */
  achieved: SloTargets;
}

export interface QueueAnalyzer {
  readonly maxBatchSize: number;
  /** Stable request-rate range in requests per second (float32, as the original stores it). */
  readonly rateRangePerSec: { min: number; max: number };
  readonly numChunks: readonly number[] | undefined;
  analyze(ratePerSec: number): Outcome<QueueMetrics>;
  size(targets: SloTargets): Outcome<SizeResult>;
}

function configText(c: QueueConfig, tokensLabel: string): string {
  const parms = `{alpha=${goFixed(c.alpha, 3)}, beta=${goFixed(c.beta, 5)}, gamma=${goFixed(c.gamma, 5)}}`;
  return `{maxBatch=${c.maxBatchSize}, ${tokensLabel}=${c.maxNumTokens}, maxQueue=${c.maxQueueSize}, servParms:${parms}}`;
}

export function createQueueAnalyzer(config: QueueConfig, profile: InferenceProfile): Outcome<QueueAnalyzer> {
  const rules = PROFILE_RULES[profile];
  const maxNumTokens = config.maxNumTokens === 0 ? DEFAULT_MAX_NUM_TOKENS : config.maxNumTokens;
  const badTokens = rules.law === "chunked" && config.maxNumTokens < 0;
  if (config.maxBatchSize <= 0 || config.maxQueueSize < 0 || badTokens) {
    return failure(`invalid configuration ${configText(config, rules.law === "chunked" ? "maxNumTokens" : "maxTokens")}`);
  }
  const L = f32(config.avgInputTokens);
  const m = f32(config.avgOutputTokens);
  if (L < 0 || m < 1) return failure(`invalid request size {inTokens=${goFixed(L, 1)}, outTokens=${goFixed(m, 1)}}`);

  const N = config.maxBatchSize;
  const lawInputs = { maxBatchSize: N, maxNumTokens, alpha: f32(config.alpha), beta: f32(config.beta), gamma: f32(config.gamma), avgInputTokens: L, avgOutputTokens: m };
  const law: ServiceLaw = rules.law === "chunked" ? chunkedLaw(lawInputs) : legacyLaw(lawInputs);
  const rates = law.serviceRates;
  const rateRangePerSec = {
    min: f32(f32(rates[0]! * EPSILON) * 1000),
    max: f32(f32(rates[N - 1]! * ONE_MINUS_EPSILON) * 1000),
  };
  const K = config.maxQueueSize + N;
  const scratch = new Float64Array(K + 1);

  const invalidModel = (lambda: number) =>
    `invalid model MM1ModelStateDependent: MM1KModel: isValid=false; lambda=${goFloat32(lambda)}; mu=1; rho=1; tput=0; K=${K}; sumP=0; `;

  /** Solves at λ (requests/ms) and derives prefill, ITL and TTFT at the mean batch in service. */
  function evaluate(lambda: number): Outcome<{ state: ReturnType<typeof solveQueue>; prefill: number; itl: number; ttft: number }> {
    if (!queueIsValid(K, lambda)) return failure(invalidModel(lambda));
    const state = solveQueue(lambda, rates, K, scratch);
    const prefill = law.prefillAt(state.avgNumInServers);
    const itl = f32(f32(state.avgServTime - prefill) / m);
    const ttft = f32(f32(state.avgWaitTime + prefill) + itl);
    return success({ state, prefill, itl, ttft });
  }

  function analyze(ratePerSec: number): Outcome<QueueMetrics> {
    const rate = f32(ratePerSec);
    if (!(rate > 0)) return failure(`invalid request rate ${goFloat32(rate)}`);
    if (rules.rateGuard && rate > rateRangePerSec.max) {
      return failure(`rate=${goFloat32(rate)}, max allowed rate=${goFloat32(rateRangePerSec.max)}`);
    }
    const at = evaluate(f32(rate / 1000));
    if (!at.ok) return at;
    const { state, prefill, itl, ttft } = at.value;
    const rho = Math.min(Math.max(f32(state.avgNumInServers / f32(N)), 0), 1);
    return success({
      throughput: f32(state.throughput * 1000),
      avgRespTime: state.avgRespTime,
      avgWaitTime: state.avgWaitTime,
      avgNumInServ: state.avgNumInServers,
      avgPrefillTime: prefill,
      avgTokenTime: itl,
      avgTTFT: ttft,
      maxRate: rateRangePerSec.max,
      rho,
    });
  }

  function size(targets: SloTargets): Outcome<SizeResult> {
    const ttft = f32(targets.ttft);
    const itl = f32(targets.itl);
    const tps = f32(targets.tps);
    if (itl < 0 || ttft < 0 || tps < 0) {
      return failure(`invalid target data values {TTFT=${goFixed(ttft, 3)}, ITL=${goFixed(itl, 3)}, TPS=${goFixed(tps, 3)}}`);
    }
    // The range is stored ×1000 and divided back: a float32 round trip kept for bit parity.
    const lambdaMin = f32(rateRangePerSec.min / 1000);
    const lambdaMax = f32(rateRangePerSec.max / 1000);
    const range = `[${goFixed(rateRangePerSec.min, 3)}, ${goFixed(rateRangePerSec.max, 3)}]`;

    const search = (name: "TTFT" | "ITL", target: number, metric: "ttft" | "itl"): Outcome<number> => {
      if (!(target > 0)) return success(lambdaMax);
      const found = bisect(lambdaMin, lambdaMax, target, (x) => {
        const at = evaluate(x);
        return at.ok ? success(at.value[metric]) : at;
      });
      if (found.kind === "error" || found.kind === "below") {
        const [ind, err] = found.kind === "error" ? [0, found.error] : [-1, "target is below the bounded region"];
        return failure(`failed to calculate lambdaStar${name}, target${name}=${goFloat32(target)}, range=${range}, ind=${ind}, err=${err}`);
      }
      return success(found.x);
    };

    const byTtft = search("TTFT", ttft, "ttft");
    if (!byTtft.ok) return byTtft;
    const byItl = search("ITL", itl, "itl");
    if (!byItl.ok) return byItl;
    const byTps = tps > 0 ? f32(lambdaMax * TPS_SAFETY) : lambdaMax;

    const lambda = Math.min(byTtft.value, byItl.value, byTps);
    const metrics = analyze(f32(lambda * 1000));
    if (!metrics.ok) return metrics;
    return success({
      targetRatePerSec: { ttft: f32(byTtft.value * 1000), itl: f32(byItl.value * 1000), tps: f32(byTps * 1000) },
      metrics: metrics.value,
      achieved: { ttft: metrics.value.avgTTFT, itl: metrics.value.avgTokenTime, tps: f32(metrics.value.throughput * m) },
    });
  }

  return success({ maxBatchSize: N, rateRangePerSec, numChunks: law.numChunks, analyze, size });
}

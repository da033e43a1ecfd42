/**
 * One candidate allocation: what server s needs on accelerator a to meet its class's targets
 * (spec §2.1, §2.8), and its value, the cost of moving there from the current allocation (§3.1).
 */
import type { ServerSpec } from "./documents.js";
import { f32 } from "./float32.js";
import { PROFILE_RULES, type InferenceProfile } from "./profiles.js";
import { createQueueAnalyzer, DEFAULT_MAX_NUM_TOKENS } from "./queueAnalyzer.js";
import { bundlesPerReplica, byName, classOf, type SystemIndex } from "./systemIndex.js";

/** Moving to another accelerator costs 10 % of both allocations on top of the cost change. */
const ACCELERATOR_CHANGE_PENALTY = f32(0.1);

export interface Candidate {
  /** The accelerator this candidate was sized for. */
  consideredAccelerator: string;
  /** The accelerator to run on; "" for an idle server scaled to zero. */
  accelerator: string;
  numReplicas: number;
  maxBatch: number;
  cost: number;
  value: number;
  itlAverage: number;
  ttftAverage: number;
  rho: number;
  /** Sustainable requests per ms of one replica at the targets (θ* ÷ 1000). */
  maxArrvRatePerReplica: number;
  /** Cards of `acceleratorType` one replica takes (bundles × multiplicity); 0 when idle. */
  unitsPerReplica: number;
  acceleratorType: string;
}

/** Requests per minute one replica sustains, as the original computes it for the saturation flag. */
export function maxRpmPerReplica(c: Pick<Candidate, "maxArrvRatePerReplica">): number {
  return f32(f32(c.maxArrvRatePerReplica * 1000) * 60);
}

function zeroLoadCandidate(index: SystemIndex, server: ServerSpec, accName: string): Candidate {
  const acc = index.accelerators.get(accName)!;
  const perf = index.perf(server.model, accName)!;
  if (server.minNumReplicas === 0) {
    return { consideredAccelerator: accName, accelerator: "", numReplicas: 0, maxBatch: 0, cost: 0, value: 0, itlAverage: 0, ttftAverage: 0, rho: 0, maxArrvRatePerReplica: 0, unitsPerReplica: 0, acceleratorType: "" };
  }
  const replicas = server.minNumReplicas;
  const maxBatch = server.maxBatchSize > 0 ? server.maxBatchSize : perf.maxBatchSize;
  const bundles = bundlesPerReplica(perf);
  const { alpha, beta, gamma } = perf.perfParms;
  // Rough figures without load (spec §6.7): one decode step, one prefill of a full batch.
  const decode = f32(alpha + beta);
  const maxDecode = f32(alpha + f32(beta * f32(maxBatch)));
  const prefill = f32(decode + f32(gamma * f32(maxBatch)));
  const maxService = f32(prefill + maxDecode);
  return {
    consideredAccelerator: accName,
    accelerator: accName,
    numReplicas: replicas,
    maxBatch,
    cost: f32(acc.cost * f32(bundles * replicas)),
    value: 0,
    itlAverage: decode,
    ttftAverage: prefill,
    rho: 0,
    maxArrvRatePerReplica: maxService > 0 ? f32(f32(maxBatch) / maxService) : 0,
    unitsPerReplica: bundles * acc.multiplicity,
    acceleratorType: acc.type,
  };
}

/** Sizes server on one accelerator; undefined when the original finds no candidate there. */
export function sizeCandidate(index: SystemIndex, server: ServerSpec, accName: string, profile: InferenceProfile): Candidate | undefined {
  const rules = PROFILE_RULES[profile];
  const acc = index.accelerators.get(accName);
  const load = server.currentAlloc.load;
  if (acc === undefined || load.arrivalRate < 0 || load.avgInTokens < 0 || load.avgOutTokens < 0) return undefined;
  const perf = index.perf(server.model, accName);
  const target = index.classes.get(classOf(server))?.targets.get(server.model);
  if (perf === undefined || target === undefined) return undefined;

  if (load.arrivalRate === 0 || load.avgOutTokens === 0) return zeroLoadCandidate(index, server, accName);
  const { alpha, beta, gamma } = perf.perfParms;
  if (rules.zeroParameterGuard && alpha === 0 && beta === 0 && gamma === 0) return undefined;

  const outTokens = load.avgOutTokens;
  const maxBatch = server.maxBatchSize > 0 ? server.maxBatchSize : Math.max(Math.trunc((perf.maxBatchSize * perf.atTokens) / outTokens), 1);
  const analyzer = createQueueAnalyzer(
    {
      maxBatchSize: maxBatch,
      maxQueueSize: rules.queueRoom(server.maxQueueSize, maxBatch),
      maxNumTokens: DEFAULT_MAX_NUM_TOKENS,
      alpha,
      beta,
      gamma,
      avgInputTokens: f32(load.avgInTokens),
      avgOutputTokens: f32(outTokens),
    },
    profile,
  );
  if (!analyzer.ok) return undefined;
  const sized = analyzer.value.size({ ttft: target["slo-ttft"], itl: target["slo-itl"], tps: target["slo-tps"] });
  if (!sized.ok) return undefined;
  // θ*: what one replica serves at λ*, not λ* itself (with little queue room they differ, §6.4).
  const rateStar = sized.value.metrics.throughput;

  const offeredPerSec = target["slo-tps"] === 0 ? f32(load.arrivalRate / 60) : f32(target["slo-tps"] / f32(outTokens));
  const needed = Math.ceil(offeredPerSec / rateStar);
  if (!Number.isFinite(needed)) return undefined;
  const replicas = Math.max(needed, server.minNumReplicas);
  if (replicas <= 0) return undefined;
  const bundles = bundlesPerReplica(perf);
  const perReplica = analyzer.value.analyze(f32(offeredPerSec / f32(replicas)));
  if (!perReplica.ok) return undefined;
  return {
    consideredAccelerator: accName,
    accelerator: accName,
    numReplicas: replicas,
    maxBatch,
    cost: f32(acc.cost * f32(bundles * replicas)),
    value: 0,
    itlAverage: perReplica.value.avgTokenTime,
    ttftAverage: perReplica.value.avgTTFT,
    rho: perReplica.value.rho,
    maxArrvRatePerReplica: f32(rateStar / 1000),
    unitsPerReplica: bundles * acc.multiplicity,
    acceleratorType: acc.type,
  };
}

/** Value of moving from the server's current allocation to `to` (may be negative). */
export function transitionValue(server: ServerSpec, to: Pick<Candidate, "accelerator" | "numReplicas" | "cost">): number {
  const from = server.currentAlloc;
  if (from.accelerator === to.accelerator) return from.numReplicas === to.numReplicas ? 0 : f32(to.cost - from.cost);
  return f32(f32(ACCELERATOR_CHANGE_PENALTY * f32(from.cost + to.cost)) + f32(to.cost - from.cost));
}

/**
 * Every candidate of a server with its value, cheapest first; equal values in accelerator-name
 * order, which replaces the original's random map order (spec §3.5).
 */
export function serverCandidates(index: SystemIndex, server: ServerSpec, profile: InferenceProfile): Candidate[] {
  let names = index.acceleratorNames;
  const current = server.currentAlloc.accelerator;
  if (server.keepAccelerator && current !== "") names = index.accelerators.has(current) ? [current] : [];
  const found: Candidate[] = [];
  for (const name of names) {
    const candidate = sizeCandidate(index, server, name, profile);
    if (candidate !== undefined) found.push({ ...candidate, value: transitionValue(server, candidate) });
  }
  return found.sort((a, b) => a.value - b.value || byName(a.consideredAccelerator, b.consideredAccelerator));
}

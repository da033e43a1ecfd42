/**
 * An inference server's load over one poll window, from two scrapes of its `/metrics` (vLLM names;
 * SGLang's where they differ): what the NodeReport carries per replica and the autoscaler reads.
 * Counters are summed over the pod's series (engines, models, finish reasons); rates and means come
 * from the deltas between the scrapes. A counter that went down (server restart) leaves the rates of
 * that window unknown rather than negative or cumulative.
 */
import type { Sample } from "./exposition.js";

/** The cumulative figures of one scrape. */
export interface ReplicaCounters {
  readonly atMs: number;
  readonly model: string | undefined;
  readonly requests: number | undefined;
  readonly promptTokens: number | undefined;
  readonly generationTokens: number | undefined;
  readonly ttftSumS: number | undefined;
  readonly ttftCount: number | undefined;
  readonly itlSumS: number | undefined;
  readonly itlCount: number | undefined;
  readonly running: number | undefined;
  readonly waiting: number | undefined;
}

/** One window's load; null where the scrapes do not say. */
export interface ReplicaLoad {
  readonly model: string | null;
  readonly windowS: number;
  readonly requestRate: number | null;
  /** Finished plus the growth of running + waiting, per second, never negative: what arrived. */
  readonly arrivalRate: number | null;
  readonly avgInputTokens: number | null;
  readonly avgOutputTokens: number | null;
  readonly ttftMeanMs: number | null;
  readonly itlMeanMs: number | null;
  readonly running: number | null;
  readonly waiting: number | null;
}

const FAMILIES = {
  requests: ["vllm:request_success_total", "sglang:num_requests_total"],
  promptTokens: ["vllm:prompt_tokens_total", "sglang:prompt_tokens_total"],
  generationTokens: ["vllm:generation_tokens_total", "sglang:generation_tokens_total"],
  ttft: ["vllm:time_to_first_token_seconds", "sglang:time_to_first_token_seconds"],
  // vLLM 0.11 renamed time_per_output_token to inter_token_latency; older servers have only the old name.
  itl: ["vllm:inter_token_latency_seconds", "vllm:time_per_output_token_seconds", "sglang:inter_token_latency_seconds"],
  running: ["vllm:num_requests_running", "sglang:num_running_reqs"],
  waiting: ["vllm:num_requests_waiting", "sglang:num_queue_reqs"],
} as const;

/** Sum of the first family present; undefined when none is. */
function total(byName: ReadonlyMap<string, number>, names: readonly string[], suffix = ""): number | undefined {
  for (const n of names) {
    const v = byName.get(`${n}${suffix}`);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Every metric name replicaCounters reads (histograms by their _sum and _count). */
export const REPLICA_METRIC_NAMES: ReadonlySet<string> = new Set([
  ...FAMILIES.requests,
  ...FAMILIES.promptTokens,
  ...FAMILIES.generationTokens,
  ...FAMILIES.running,
  ...FAMILIES.waiting,
  ...[...FAMILIES.ttft, ...FAMILIES.itl].flatMap((f) => [`${f}_sum`, `${f}_count`]),
]);

export function replicaCounters(samples: readonly Sample[], atMs: number): ReplicaCounters {
  const byName = new Map<string, number>();
  let model: string | undefined;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    byName.set(s.name, (byName.get(s.name) ?? 0) + s.value);
    model ??= s.labels["model_name"] ?? s.labels["name"];
  }
  return {
    atMs,
    model,
    requests: total(byName, FAMILIES.requests),
    promptTokens: total(byName, FAMILIES.promptTokens),
    generationTokens: total(byName, FAMILIES.generationTokens),
    ttftSumS: total(byName, FAMILIES.ttft, "_sum"),
    ttftCount: total(byName, FAMILIES.ttft, "_count"),
    itlSumS: total(byName, FAMILIES.itl, "_sum"),
    itlCount: total(byName, FAMILIES.itl, "_count"),
    running: total(byName, FAMILIES.running),
    waiting: total(byName, FAMILIES.waiting),
  };
}

function delta(prev: number | undefined, now: number | undefined): number | undefined {
  if (prev === undefined || now === undefined) return undefined;
  const d = now - prev;
  return d >= 0 ? d : undefined;
}

function ratio(num: number | undefined, den: number | undefined, scale = 1): number | null {
  return num === undefined || den === undefined || den <= 0 ? null : (num / den) * scale;
}

/**
 * The load between two scrapes of the same pod. Without a previous scrape (or with one not older)
 * only the gauges are known. Any counter that went down marks a restart: the window's rates are null.
 */
export function replicaLoad(prev: ReplicaCounters | undefined, now: ReplicaCounters): ReplicaLoad {
  const gauges = { model: now.model ?? null, running: now.running ?? null, waiting: now.waiting ?? null };
  const windowS = prev === undefined ? 0 : (now.atMs - prev.atMs) / 1000;
  const none = { ...gauges, windowS: Math.max(0, windowS), requestRate: null, arrivalRate: null, avgInputTokens: null, avgOutputTokens: null, ttftMeanMs: null, itlMeanMs: null };
  if (prev === undefined || windowS <= 0) return none;
  const keys = ["requests", "promptTokens", "generationTokens", "ttftSumS", "ttftCount", "itlSumS", "itlCount"] as const;
  if (keys.some((k) => prev[k] !== undefined && now[k] !== undefined && now[k]! < prev[k]!)) return none;
  const requests = delta(prev.requests, now.requests);
  const inServer = (c: ReplicaCounters) => (c.running ?? 0) + (c.waiting ?? 0);
  return {
    ...gauges,
    windowS,
    requestRate: requests === undefined ? null : requests / windowS,
    // A draining server's queue can shrink faster than it completes (preempted, aborted): not below 0.
    arrivalRate: requests === undefined ? null : Math.max(0, (requests + inServer(now) - inServer(prev)) / windowS),
    avgInputTokens: ratio(delta(prev.promptTokens, now.promptTokens), requests),
    avgOutputTokens: ratio(delta(prev.generationTokens, now.generationTokens), requests),
    ttftMeanMs: ratio(delta(prev.ttftSumS, now.ttftSumS), delta(prev.ttftCount, now.ttftCount), 1000),
    itlMeanMs: ratio(delta(prev.itlSumS, now.itlSumS), delta(prev.itlCount, now.itlCount), 1000),
  };
}

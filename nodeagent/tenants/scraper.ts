/**
 * Each poll, reads the `/metrics` of every scraped pod on the node (tenants and inference servers),
 * and turns the change since the previous poll into the tenant's p99 (core/slo `windowQuantile`, as
 * PromQL's histogram_quantile over a rate window) and the replica's load (`replicaLoad`). A pod that
 * cannot be read this poll has no latency ("unknown", never healthy) and keeps its previous scrape, so
 * the next good poll measures from there.
 */
import { LATENCY_FAMILIES, latencyHistogram, parseExposition, REPLICA_METRIC_NAMES, replicaCounters, replicaLoad, windowQuantile, type Bucket, type LatencyKind, type NoLatencyReason, type ReplicaCounters, type ReplicaLoad } from "../../core/slo/index.js";
import type { AgentPod } from "./agentPod.js";
import type { MetricsClient } from "./metricsClient.js";

/** The families the agent reads: latency histograms (buckets, sums, counts) and the load counters and gauges. */
const LATENCY_SERIES = new Set(Object.values(LATENCY_FAMILIES).flatMap((fs) => fs.flatMap((f) => [`${f}_bucket`, `${f}_sum`, `${f}_count`])));
function isScraped(name: string): boolean {
  return LATENCY_SERIES.has(name) || REPLICA_METRIC_NAMES.has(name);
}

export interface ScrapeOptions {
  timeoutMs: number;
  /** Fewer requests than this in a window judge nothing (bucket resolution; spec §6.2). */
  minSamples: number;
  /** Scrapes in flight at once. */
  concurrency: number;
}

export const DEFAULT_SCRAPE_OPTIONS: ScrapeOptions = { timeoutMs: 2_000, minSamples: 5, concurrency: 16 };

export interface PodScrape {
  readonly uid: string;
  /** The SLO latency's p99 over the window, ms; undefined with `noLatency` saying why. */
  readonly p99Ms: number | undefined;
  readonly noLatency: NoLatencyReason | "scrape-failed" | "no-histogram" | "not-a-tenant" | undefined;
  /** Requests in the window (the p99's sample count). */
  readonly samples: number;
  readonly load: ReplicaLoad | undefined;
  /** Time to first token, p99 over the window (ms), for every scraped server, tenant or not. */
  readonly ttftP99Ms: number | undefined;
  readonly error: string | undefined;
}

interface Previous {
  latency: Bucket[] | undefined;
  latencyKind: LatencyKind;
  ttft: Bucket[] | undefined;
  counters: ReplicaCounters;
}

export class TenantScraper {
  readonly #previous = new Map<string, Previous>();

  constructor(
    private readonly client: MetricsClient,
    private readonly options: ScrapeOptions = DEFAULT_SCRAPE_OPTIONS,
  ) {}

  /** One poll over the pods that have metrics; forgets pods no longer listed. */
  async scrape(pods: readonly AgentPod[], nowMs: number): Promise<Map<string, PodScrape>> {
    const targets = pods.filter((p) => p.metrics !== undefined);
    const results = new Map<string, PodScrape>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length) {
        const pod = targets[next++]!;
        results.set(pod.uid, await this.#one(pod, nowMs));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, targets.length) }, worker));
    const listed = new Set(pods.map((p) => p.uid));
    for (const uid of [...this.#previous.keys()]) if (!listed.has(uid)) this.#previous.delete(uid);
    return results;
  }

  async #one(pod: AgentPod, nowMs: number): Promise<PodScrape> {
    const failed = (error: string): PodScrape => ({ uid: pod.uid, p99Ms: undefined, noLatency: "scrape-failed", samples: 0, load: undefined, ttftP99Ms: undefined, error });
    if (pod.podIp === undefined) return failed("the pod has no IP yet");
    const host = pod.podIp.includes(":") ? `[${pod.podIp}]` : pod.podIp;
    let text: string;
    try {
      text = await this.client.get(`http://${host}:${pod.metrics!.port}${pod.metrics!.path}`, this.options.timeoutMs);
    } catch (err) {
      return failed((err as Error).message);
    }
    const { samples } = parseExposition(text, isScraped);
    const counters = replicaCounters(samples, nowMs);
    const prev = this.#previous.get(pod.uid);
    const load = replicaLoad(prev?.counters, counters);
    const histogram = latencyHistogram(samples, pod.latencyKind);
    const ttft = latencyHistogram(samples, "ttft");
    // A changed latency kind (annotation edited) starts a new window.
    const prevBuckets = prev?.latencyKind === pod.latencyKind ? prev.latency : undefined;
    this.#previous.set(pod.uid, { latency: histogram?.buckets, latencyKind: pod.latencyKind, ttft: ttft?.buckets, counters });
    const ttftWindow = ttft === undefined ? undefined : windowQuantile(0.99, prev?.ttft, ttft.buckets, 1);
    const common = { uid: pod.uid, load, ttftP99Ms: ttftWindow?.kind === "value" ? ttftWindow.seconds * 1000 : undefined, error: undefined };
    if (pod.sloMs === undefined) return { ...common, p99Ms: undefined, noLatency: "not-a-tenant", samples: 0 };
    if (histogram === undefined) return { ...common, p99Ms: undefined, noLatency: "no-histogram", samples: 0 };
    const p99 = windowQuantile(0.99, prevBuckets, histogram.buckets, this.options.minSamples);
    return p99.kind === "value"
      ? { ...common, p99Ms: p99.seconds * 1000, noLatency: undefined, samples: p99.requests }
      : { ...common, p99Ms: undefined, noLatency: p99.reason, samples: p99.requests };
  }
}

/**
 * Measured load and latency per Deployment from Prometheus (vllmQueries.ts). A quantity whose query
 * fails counts as missing; a Deployment without a measured arrival rate gets no measurement, and the
 * collector falls back to its load labels.
 */
import type { Logger } from "../platform/log.js";
import type { PrometheusInstantQuery } from "../platform/prometheus/instantQuery.js";
import { tokenCount, type MeasuredLoad } from "./serverDocument.js";
import { sampleKey, seriesKey, VLLM_QUANTITIES, vllmQueries, type SeriesMatch, type VllmQuantity } from "./vllmQueries.js";

export interface Measurement {
  /** Which source measured it. */
  origin: "nodereport" | "prometheus";
  load: MeasuredLoad;
  /** Observed mean latencies, when scraped; for the predicted-vs-observed metrics. */
  ttftMs?: number;
  itlMs?: number;
}

export interface LoadSource {
  /** Keyed `namespace/name`; Deployments without a measurement are absent. */
  measure(deployments: ReadonlyArray<{ namespace: string; name: string }>, nowMs: number): Promise<Map<string, Measurement>>;
}

export class PrometheusLoadSource implements LoadSource {
  private readonly queries: Record<VllmQuantity, string>;

  constructor(
    private readonly prometheus: PrometheusInstantQuery,
    private readonly match: SeriesMatch,
    window: string,
    private readonly log: Logger,
  ) {
    this.queries = vllmQueries(window, match);
  }

  async measure(deployments: ReadonlyArray<{ namespace: string; name: string }>, nowMs: number): Promise<Map<string, Measurement>> {
    const answers = await Promise.all(
      VLLM_QUANTITIES.map(async (quantity) => {
        try {
          return [quantity, await this.prometheus.vector(this.queries[quantity], nowMs)] as const;
        } catch (err) {
          this.log.warn({ err, code: "PROMETHEUS_QUERY", source: quantity }, "vllm load query failed");
          return [quantity, []] as const;
        }
      }),
    );
    const byQuantity = new Map<VllmQuantity, Map<string, number>>();
    for (const [quantity, samples] of answers) {
      const values = new Map<string, number>();
      for (const s of samples) {
        const key = sampleKey(s.labels, this.match);
        if (key !== undefined) values.set(key, s.value);
      }
      byQuantity.set(quantity, values);
    }
    const value = (q: VllmQuantity, key: string): number | undefined => byQuantity.get(q)?.get(key);
    const measured = new Map<string, Measurement>();
    for (const d of deployments) {
      const key = seriesKey(d.namespace, d.name, this.match);
      const rpm = value("arrivalRpm", key);
      if (rpm === undefined || !Number.isFinite(rpm)) continue;
      const ttftMs = value("ttftMs", key);
      const itlMs = value("itlMs", key);
      measured.set(`${d.namespace}/${d.name}`, {
        origin: "prometheus",
        // A draining server can show a negative growth larger than its completions: no negative arrivals.
        load: { arrivalRate: Math.max(0, rpm), avgInTokens: tokenCount(value("inTokens", key) ?? 0), avgOutTokens: tokenCount(value("outTokens", key) ?? 0) },
        ...(ttftMs !== undefined && Number.isFinite(ttftMs) && { ttftMs }),
        ...(itlMs !== undefined && Number.isFinite(itlMs) && { itlMs }),
      });
    }
    return measured;
  }
}

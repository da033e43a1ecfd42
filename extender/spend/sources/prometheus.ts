/**
 * Spend from two PromQL instant queries (`GET /api/v1/query?query=…&time=…`), each answering one
 * number: a scalar, or a vector of exactly one sample. What they measure is the operator's choice
 * (OpenCost's `node_*_hourly_cost` metrics, a recording rule, a billing exporter); the queries may
 * use these placeholders, filled from the injected time and the billing calendar:
 *
 *   {{monthElapsed}}  seconds since the billing month began, as a PromQL duration (`1339200s`)
 *   {{lookback}}      the daily-rate lookback as a PromQL duration (`86400s`)
 *   {{lookbackDays}}  the lookback in days (`1`), to divide by
 *
 * e.g. monthToDate `sum(increase(credits_spent_usd_total[{{monthElapsed}}]))`,
 *      dailyRate   `sum(increase(credits_spent_usd_total[{{lookback}}])) / {{lookbackDays}}`.
 */
import { z } from "zod";
import { StewardError } from "../../../platform/errors.js";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_SOURCE_TIMEOUT_MS, getJson, snippet } from "./getJson.js";
import type { SpendFigures, SpendSource } from "./port.js";
import { malformedBody, spendSourceError } from "./sourceError.js";
import { requireBaseUrl, requireLookbackDays, requireUtcOffsetMinutes, spendWindows } from "./window.js";

export interface PrometheusSourceOptions {
  /** Prometheus (or a compatible API: Thanos, Mimir) root, e.g. `http://prometheus.monitoring:9090`. */
  baseUrl: string;
  /** PromQL for the pool's month-to-date spend, USD. */
  monthToDateQuery: string;
  /** PromQL for the pool's average spend per day over the lookback, USD/day. */
  dailyRateQuery: string;
  lookbackDays?: number;
  utcOffsetMinutes?: number;
  timeoutMs?: number;
  /** e.g. `{ authorization: "Bearer …" }` for a managed Prometheus. */
  headers?: Readonly<Record<string, string>>;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

export const PROMETHEUS_QUERY_PATH = "/api/v1/query";

const PLACEHOLDERS = ["monthElapsed", "lookback", "lookbackDays"] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** `[unix seconds, "value"]`: Prometheus sends sample values as strings so NaN and ±Inf survive JSON. */
const Sample = z.tuple([z.number(), z.string()]);

const QueryAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("scalar"), result: Sample }),
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample })) }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal("string"), result: z.unknown() }),
    ]),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string().optional() }),
]);

export class PrometheusSpendSource implements SpendSource {
  readonly name = "prometheus";
  private readonly baseUrl: string;
  private readonly lookbackDays: number;
  private readonly utcOffsetMinutes: number;

  constructor(private readonly opts: PrometheusSourceOptions) {
    this.baseUrl = requireBaseUrl("prometheus.baseUrl", opts.baseUrl);
    requireQuery("prometheus.monthToDateQuery", opts.monthToDateQuery);
    requireQuery("prometheus.dailyRateQuery", opts.dailyRateQuery);
    this.lookbackDays = requireLookbackDays("prometheus.lookbackDays", opts.lookbackDays ?? 1);
    this.utcOffsetMinutes = requireUtcOffsetMinutes("prometheus.utcOffsetMinutes", opts.utcOffsetMinutes ?? 0);
  }

  async read(nowMs: number, signal?: AbortSignal): Promise<SpendFigures> {
    const w = spendWindows(nowMs, this.lookbackDays, this.utcOffsetMinutes);
    const values: Record<Placeholder, string> = {
      // A zero range is a PromQL error; in the first second of the month one second is as good as none.
      monthElapsed: `${Math.max(1, Math.floor((nowMs - w.monthToDate.startMs) / 1000))}s`,
      lookback: `${Math.round(w.lookbackDays * 86_400)}s`,
      lookbackDays: String(w.lookbackDays),
    };
    const [monthToDateUsd, dailyRateUsd] = await Promise.all([
      this.instant(fillQuery(this.opts.monthToDateQuery, values), nowMs, signal),
      this.instant(fillQuery(this.opts.dailyRateQuery, values), nowMs, signal),
    ]);
    return { monthToDateUsd, dailyRateUsd };
  }

  /** The exact request for one query (public so tests and logs can show it). */
  queryUrl(query: string, nowMs: number): URL {
    const url = new URL(`${this.baseUrl}${PROMETHEUS_QUERY_PATH}`);
    url.searchParams.set("query", query);
    url.searchParams.set("time", (nowMs / 1000).toFixed(3));
    return url;
  }

  private async instant(query: string, nowMs: number, signal?: AbortSignal): Promise<number> {
    const url = this.queryUrl(query, nowMs);
    const answer = await getJson(url, {
      source: this.name,
      timeoutMs: this.opts.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS,
      maxBodyBytes: this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(this.opts.headers !== undefined && { headers: this.opts.headers }),
      ...(signal !== undefined && { signal }),
      ...(this.opts.fetch !== undefined && { fetch: this.opts.fetch }),
    });
    if (answer.json === undefined) {
      throw spendSourceError(this.name, url, `HTTP ${answer.status}, body is not JSON: ${snippet(answer.text) || "(empty body)"}`);
    }
    const parsed = QueryAnswer.safeParse(answer.json);
    if (!parsed.success) {
      if (answer.status !== 200) throw spendSourceError(this.name, url, `HTTP ${answer.status}: ${snippet(answer.text)}`);
      throw malformedBody(this.name, url, parsed.error);
    }
    const body = parsed.data;
    // Prometheus answers errors with 400/422/503 and a JSON body that says what went wrong.
    if (body.status === "error") {
      throw spendSourceError(this.name, url, `query failed (HTTP ${answer.status}, ${body.errorType ?? "error"}): ${body.error ?? "no message"}`);
    }
    if (answer.status !== 200) throw spendSourceError(this.name, url, `HTTP ${answer.status}: ${snippet(answer.text)}`);
    const { data } = body;
    let raw: string;
    if (data.resultType === "scalar") {
      raw = data.result[1];
    } else if (data.resultType === "vector") {
      if (data.result.length === 0) {
        throw spendSourceError(this.name, url, "the query returned no samples (no series matched; wrap it in sum(…) or add `or vector(0)` if none means 0)");
      }
      if (data.result.length > 1) {
        throw spendSourceError(this.name, url, `the query returned ${data.result.length} samples, expected one (aggregate it, e.g. sum(…))`);
      }
      raw = data.result[0]!.value[1];
    } else {
      throw spendSourceError(this.name, url, `expected a scalar or a one-sample vector, got a ${data.resultType} (an instant query, no range selector at the top)`);
    }
    const usd = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(usd) || usd < 0) {
      throw spendSourceError(this.name, url, `expected a finite spend ≥ 0 USD, got ${JSON.stringify(raw)}`);
    }
    return usd;
  }
}

function requireQuery(field: string, query: string): void {
  if (typeof query !== "string" || query.trim() === "") {
    throw new StewardError("CONFIG_INVALID", `${field}: expected a PromQL expression`, field);
  }
  for (const m of query.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      throw new StewardError("CONFIG_INVALID", `${field}: unknown placeholder {{${m[1]}}}; known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`, field);
    }
  }
}

function fillQuery(query: string, values: Record<Placeholder, string>): string {
  return query.replace(PLACEHOLDER, (_, name: string) => values[name as Placeholder]);
}

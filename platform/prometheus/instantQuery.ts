/**
 * PromQL instant queries returning a vector (`GET /api/v1/query?query=…&time=…`): each sample's labels
 * and value. Failures (network, timeout, HTTP error, an error answer, a body that is not the API's
 * shape) throw StewardError `PROMETHEUS_QUERY` naming the URL without credentials.
 */
import { z } from "zod";
import { StewardError } from "../errors.js";

export const INSTANT_QUERY_PATH = "/api/v1/query";

export interface VectorSample {
  labels: Record<string, string>;
  /** NaN and ±Inf survive: Prometheus sends values as strings so they can. */
  value: number;
}

export interface InstantQueryOptions {
  /** Prometheus (or Thanos, Mimir) root, e.g. `http://prometheus.monitoring:9090`. */
  baseUrl: string;
  timeoutMs: number;
  /** e.g. `{ authorization: "Bearer …" }`. */
  headers?: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
}

const Answer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.object({
      resultType: z.string(),
      result: z.unknown(),
    }),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string().optional() }),
]);

const VectorResult = z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }));

function queryError(url: URL, reason: string): StewardError {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  return new StewardError("PROMETHEUS_QUERY", `GET ${shown.origin}${shown.pathname}?query=${shown.searchParams.get("query") ?? ""}: ${reason}`, "prometheus-url");
}

export class PrometheusInstantQuery {
  constructor(private readonly opts: InstantQueryOptions) {}

  async vector(query: string, nowMs: number, signal?: AbortSignal): Promise<VectorSample[]> {
    const url = new URL(`${this.opts.baseUrl.replace(/\/+$/, "")}${INSTANT_QUERY_PATH}`);
    url.searchParams.set("query", query);
    url.searchParams.set("time", (nowMs / 1000).toFixed(3));
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await (this.opts.fetch ?? fetch)(url, {
        headers: { accept: "application/json", ...this.opts.headers },
        signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal]),
      });
      status = response.status;
      text = await response.text();
    } catch (err) {
      if (timeout.aborted) throw queryError(url, `no answer within ${this.opts.timeoutMs} ms`);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw queryError(url, `request failed: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw queryError(url, `HTTP ${status}, body is not JSON`);
    }
    const parsed = Answer.safeParse(json);
    if (!parsed.success) throw queryError(url, `HTTP ${status}, not a Prometheus API answer`);
    if (parsed.data.status === "error") throw queryError(url, `query failed (HTTP ${status}, ${parsed.data.errorType ?? "error"}): ${parsed.data.error ?? "no message"}`);
    if (parsed.data.data.resultType !== "vector") throw queryError(url, `expected a vector, got a ${parsed.data.data.resultType}`);
    const result = VectorResult.safeParse(parsed.data.data.result);
    if (!result.success) throw queryError(url, "vector samples are not [time, \"value\"] pairs");
    return result.data.map((s) => ({ labels: s.metric, value: Number(s.value[1]) }));
  }
}

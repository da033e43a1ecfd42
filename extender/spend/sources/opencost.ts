/**
 * Spend from OpenCost's allocation API: the cost of the credit pool's nodes.
 *
 *   monthToDateUsd = Σ costField of the pool's node allocations, window [month start, now]
 *   dailyRateUsd   = Σ costField of the pool's node allocations, window [now − N days, now] ÷ N
 *
 * How the pool is picked out: the swagger's parameters are `window`, `aggregate`, `step` and
 * `resolution`; it has no filter parameter, and an allocation's `properties` carry the node name but
 * no node labels. So we ask for `aggregate=node` (one allocation per node, a small answer even on a
 * large cluster) and keep the allocations whose node the caller's `isPoolNode` accepts: the pool
 * label lives on Node objects, which the cluster view has and OpenCost does not report. A pod-label
 * aggregation (`label:<k>`) would only see pods that carry the label, which routed pods need not.
 *
 * Windows are explicit RFC3339 pairs from the injected time and our billing calendar, not
 * `window=month`, which would use OpenCost's own clock and time zone.
 */
import { spendSourceError, malformedBody } from "./sourceError.js";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_SOURCE_TIMEOUT_MS, getJson, snippet } from "./getJson.js";
import { OpenCostAllocationAnswer } from "./opencostWire.js";
import type { SpendFigures, SpendSource } from "./port.js";
import { requireBaseUrl, requireLookbackDays, requireUtcOffsetMinutes, spendWindows } from "./window.js";
import type { TimeWindow } from "../../../core/spend/index.js";

export interface OpenCostSourceOptions {
  /** OpenCost's API root, e.g. `http://opencost.opencost:9003`. */
  baseUrl: string;
  /** `/allocation/compute` (the swagger's path, default) or `/allocation` (newer servers, same parameters). */
  path?: string;
  /** Whether a node (by name) belongs to the credit pool. Must know nodes gone since the month began. */
  isPoolNode: (nodeName: string) => boolean;
  /** What the credits pay for: the whole allocation (default) or its GPU part. */
  costField?: "totalCost" | "gpuCost";
  /** Days of the daily-rate lookback (the seed's `--days`, default 1). */
  lookbackDays?: number;
  /** Offset of the billing calendar from UTC, minutes (as core/spend's `utcOffsetMinutes`). */
  utcOffsetMinutes?: number;
  /** OpenCost's Prometheus query resolution (`1m` when omitted); coarser is faster and less exact. */
  resolution?: string;
  timeoutMs?: number;
  headers?: Readonly<Record<string, string>>;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

export const OPENCOST_ALLOCATION_PATH = "/allocation/compute";

export class OpenCostSpendSource implements SpendSource {
  readonly name = "opencost";
  private readonly baseUrl: string;
  private readonly path: string;
  private readonly costField: "totalCost" | "gpuCost";
  private readonly lookbackDays: number;
  private readonly utcOffsetMinutes: number;

  constructor(private readonly opts: OpenCostSourceOptions) {
    this.baseUrl = requireBaseUrl("opencost.baseUrl", opts.baseUrl);
    this.path = opts.path ?? OPENCOST_ALLOCATION_PATH;
    this.costField = opts.costField ?? "totalCost";
    this.lookbackDays = requireLookbackDays("opencost.lookbackDays", opts.lookbackDays ?? 1);
    this.utcOffsetMinutes = requireUtcOffsetMinutes("opencost.utcOffsetMinutes", opts.utcOffsetMinutes ?? 0);
  }

  async read(nowMs: number, signal?: AbortSignal): Promise<SpendFigures> {
    const w = spendWindows(nowMs, this.lookbackDays, this.utcOffsetMinutes);
    const [monthToDateUsd, lookbackUsd] = await Promise.all([
      this.poolCostUsd(w.monthToDate, signal),
      this.poolCostUsd(w.lookback, signal),
    ]);
    return { monthToDateUsd, dailyRateUsd: lookbackUsd / w.lookbackDays };
  }

  /** The exact request for one window (public so tests and logs can show it). */
  allocationUrl(window: TimeWindow): URL {
    const url = new URL(`${this.baseUrl}${this.path}`);
    url.searchParams.set("window", `${rfc3339(window.startMs)},${rfc3339(window.endMs)}`);
    url.searchParams.set("aggregate", "node");
    if (this.opts.resolution !== undefined) url.searchParams.set("resolution", this.opts.resolution);
    return url;
  }

  private async poolCostUsd(window: TimeWindow, signal?: AbortSignal): Promise<number> {
    // In the first second of the month the window is empty: nothing spent, nothing to ask.
    if (Math.floor(window.endMs / 1000) <= Math.floor(window.startMs / 1000)) return 0;
    const url = this.allocationUrl(window);
    const answer = await getJson(url, {
      source: this.name,
      timeoutMs: this.opts.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS,
      maxBodyBytes: this.opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(this.opts.headers !== undefined && { headers: this.opts.headers }),
      ...(signal !== undefined && { signal }),
      ...(this.opts.fetch !== undefined && { fetch: this.opts.fetch }),
    });
    if (answer.status !== 200) {
      throw spendSourceError(this.name, url, `HTTP ${answer.status}: ${errorText(answer.json, answer.text)}`);
    }
    if (answer.json === undefined) throw spendSourceError(this.name, url, `body is not JSON: ${snippet(answer.text)}`);
    const parsed = OpenCostAllocationAnswer.safeParse(answer.json);
    if (!parsed.success) throw malformedBody(this.name, url, parsed.error);
    const body = parsed.data;
    if (body.code !== undefined && body.code !== 200) {
      throw spendSourceError(this.name, url, `answered code ${body.code}: ${body.message ?? snippet(answer.text)}`);
    }
    let usd = 0;
    // Several sets only when a step is shorter than the window; their sum is the window's cost.
    body.data.forEach((set, i) => {
      for (const [key, allocation] of Object.entries(set)) {
        const node = allocation.properties?.node ?? key;
        if (!this.opts.isPoolNode(node)) continue;
        const cost = allocation[this.costField];
        if (typeof cost !== "number") {
          const field = `data[${i}][${JSON.stringify(key)}].${this.costField}`;
          throw spendSourceError(this.name, url, `unexpected body: ${field}: pool node ${node} has no cost (OpenCost writes NaN as null)`, field);
        }
        usd += cost;
      }
    });
    // Cost adjustments can be negative; a negative total would be refused by the control law anyway.
    if (usd < 0) throw spendSourceError(this.name, url, `the pool's cost over the window is negative (${usd} USD)`);
    return usd;
  }
}

/** RFC3339 to the second, as the swagger's example pair: `2023-01-18T10:30:00Z`. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

function errorText(json: unknown, text: string): string {
  const message = (json as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : snippet(text) || "(empty body)";
}

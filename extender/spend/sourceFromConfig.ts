/**
 * The SpendSource a validated config asks for. What only the composition root has comes in as
 * functions: which nodes are in the pool (OpenCost reports node names, not labels) and the GPU usages
 * the embedded ledger prices.
 */
import type { GpuUsage } from "../../core/spend/index.js";
import { StewardError } from "../../platform/errors.js";
import { SPEND_CONFIG_PATH, type SpendLoopConfig } from "./config.js";
import { LedgerSpendSource, OpenCostSpendSource, PrometheusSpendSource, type SpendSource } from "./sources/index.js";

export interface SpendSourceDeps {
  /** OpenCost: whether a node belongs to the pool, including nodes gone since the month began. */
  isPoolNode?: (nodeName: string) => boolean;
  /** Ledger: every GPU usage that may overlap this month or the lookback, with its node's pool. */
  ledgerUsages?: () => readonly GpuUsage[] | Promise<readonly GpuUsage[]>;
  /** Tests point the HTTP sources at a fake. */
  fetch?: typeof fetch;
}

/** Undefined for `source: none` (spend routing off). Throws CONFIG_INVALID when a dependency is missing. */
export function spendSourceFromConfig(c: SpendLoopConfig, deps: SpendSourceDeps = {}): SpendSource | undefined {
  const common = { lookbackDays: c.lookbackDays, utcOffsetMinutes: c.utcOffsetMinutes };
  const http = deps.fetch !== undefined ? { fetch: deps.fetch } : {};
  switch (c.source) {
    case "none":
      return undefined;
    case "opencost":
      return new OpenCostSpendSource({
        baseUrl: required(c.opencost.url, "opencost.url"),
        isPoolNode: required(deps.isPoolNode, "opencost.url", "the OpenCost source needs the pool's node names (isPoolNode)"),
        ...common,
        ...http,
      });
    case "prometheus":
      return new PrometheusSpendSource({
        baseUrl: required(c.prometheus.url, "prometheus.url"),
        monthToDateQuery: required(c.prometheus.monthToDateQuery, "prometheus.monthToDateQuery"),
        dailyRateQuery: required(c.prometheus.dailyRateQuery, "prometheus.dailyRateQuery"),
        ...common,
        ...http,
      });
    case "ledger":
      return new LedgerSpendSource({
        usages: required(deps.ledgerUsages, "source", "the ledger source needs the cluster's GPU usages (cluster mode)"),
        prices: { [c.pool]: required(c.ledger.usdPerGpuHour, "ledger.usdPerGpuHour") },
        ...common,
      });
  }
}

function required<T>(value: T | undefined, key: string, why = "is required"): T {
  if (value === undefined) throw new StewardError("CONFIG_INVALID", `${SPEND_CONFIG_PATH}.${key}: ${why}`, `${SPEND_CONFIG_PATH}.${key}`);
  return value;
}

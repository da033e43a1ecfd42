/**
 * Settings of the spend loop: where the pool's spend is read, the month's credits, and how the PID
 * is fed. `source: none` (the default) turns spend routing off: no loop, neutral spend scores.
 * Mounted by the composition root under `extender.spend`; every flag starts with `spend-` or names
 * its backend (`opencost-url`, `prometheus-*`, `ledger-*`).
 */
import { z } from "zod";
import { DEFAULT_SPEND_CONFIG, SEED_BASELINE_PCT, type SpendConfig } from "../../core/spend/index.js";
import { StewardError, isStewardError } from "../../platform/errors.js";
import type { OptionSpec } from "../../platform/config/options.js";
import { PrometheusSpendSource } from "./sources/index.js";

export const SPEND_SOURCE_KINDS = ["none", "opencost", "prometheus", "ledger"] as const;
export type SpendSourceKind = (typeof SPEND_SOURCE_KINDS)[number];

/** Pool label value: a Kubernetes label value that is not empty (an empty pool would match unlabelled nodes). */
const POOL_LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * The stop horizon bounds the period: a decision only looks `stopHorizonS` ahead at the current rate,
 * so a loop slower than that could let the pool cross the target between two decisions.
 */
export const MAX_SPEND_PERIOD_S = DEFAULT_SPEND_CONFIG.stopHorizonS;
/** Five minutes: a source query costs little, and the pool's share reacts within one scheduling wave. */
export const DEFAULT_SPEND_PERIOD_S = 300;

const httpUrl = z.url({ protocol: /^https?$/ });

export const SpendLoopConfig = z
  .object({
    source: z.enum(SPEND_SOURCE_KINDS).default("none"),
    /** Credits granted for the month, USD. No default: the seed's 500,000 is a placeholder, and a wrong budget overspends. */
    budgetUsd: z.number().min(0).optional(),
    safetyMargin: z.number().min(0).lt(1).default(DEFAULT_SPEND_CONFIG.safetyMargin),
    baselinePct: z.number().min(0).max(100).default(SEED_BASELINE_PCT),
    pool: z.string().regex(POOL_LABEL_VALUE, "expected a label value (1-63 letters, digits, '-', '_', '.', alphanumeric at both ends)").default("credits"),
    periodS: z.number().int().min(10).max(MAX_SPEND_PERIOD_S).default(DEFAULT_SPEND_PERIOD_S),
    lookbackDays: z.number().positive().max(31).default(1),
    utcOffsetMinutes: z.number().int().min(-14 * 60).max(14 * 60).default(DEFAULT_SPEND_CONFIG.utcOffsetMinutes),
    opencost: z.object({ url: httpUrl.optional() }).prefault({}),
    prometheus: z
      .object({ url: httpUrl.optional(), monthToDateQuery: z.string().trim().min(1).optional(), dailyRateQuery: z.string().trim().min(1).optional() })
      .prefault({}),
    ledger: z.object({ usdPerGpuHour: z.number().positive().optional() }).prefault({}),
  })
  .superRefine((c, ctx) => {
    const need = (present: unknown, path: string[], message: string) => {
      if (present === undefined) ctx.addIssue({ code: "custom", path, message });
    };
    if (c.source === "none") return;
    need(c.budgetUsd, ["budgetUsd"], `--spend-budget-usd is required with --spend-source ${c.source} (the month's credits, USD)`);
    if (c.source === "opencost") need(c.opencost.url, ["opencost", "url"], "--opencost-url is required with --spend-source opencost");
    if (c.source === "ledger") need(c.ledger.usdPerGpuHour, ["ledger", "usdPerGpuHour"], "--ledger-usd-per-gpu-hour is required with --spend-source ledger");
    if (c.source === "prometheus") {
      const { url, monthToDateQuery, dailyRateQuery } = c.prometheus;
      need(url, ["prometheus", "url"], "--prometheus-url is required with --spend-source prometheus");
      need(monthToDateQuery, ["prometheus", "monthToDateQuery"], "--prometheus-mtd-query is required with --spend-source prometheus");
      need(dailyRateQuery, ["prometheus", "dailyRateQuery"], "--prometheus-rate-query is required with --spend-source prometheus");
      // The source checks its placeholders when built; building it here reports them at start, by field.
      if (url !== undefined && monthToDateQuery !== undefined && dailyRateQuery !== undefined) {
        try {
          new PrometheusSpendSource({ baseUrl: url, monthToDateQuery, dailyRateQuery });
        } catch (err) {
          if (!isStewardError(err)) throw err;
          const key = err.field?.split(".").at(-1) ?? "monthToDateQuery";
          ctx.addIssue({ code: "custom", path: ["prometheus", key], message: err.message.replace(/^[^:]*: /, "") });
        }
      }
    }
  })
  .prefault({});
export type SpendLoopConfig = z.infer<typeof SpendLoopConfig>;

/** Where the composition root mounts SpendLoopConfig; the option paths below start with it. */
export const SPEND_CONFIG_PATH = "extender.spend";
const at = (key: string) => `${SPEND_CONFIG_PATH}.${key}`;

export const spendOptions: readonly OptionSpec[] = [
  { flag: "spend-source", path: at("source"), kind: "string", help: "where the credit pool's spend is read: none|opencost|prometheus|ledger (none = spend routing off)", defaultText: "none" },
  { flag: "spend-budget-usd", path: at("budgetUsd"), kind: "number", help: "credits granted for the month, USD (required with a source)" },
  { flag: "spend-margin", path: at("safetyMargin"), kind: "number", help: "share of the budget held back: target = budget × (1 − margin), fraction in [0, 1)", defaultText: String(DEFAULT_SPEND_CONFIG.safetyMargin) },
  { flag: "spend-baseline-pct", path: at("baselinePct"), kind: "number", help: "share of GPU jobs routed to the pool before the PID's adjustment, percent", defaultText: String(SEED_BASELINE_PCT) },
  { flag: "spend-pool", path: at("pool"), kind: "string", help: "value of the gpu-steward.io/pool node label of the credit-funded pool", defaultText: "credits" },
  { flag: "spend-period-s", path: at("periodS"), kind: "integer", help: `seconds between two decisions of the spend loop (10..${MAX_SPEND_PERIOD_S})`, defaultText: String(DEFAULT_SPEND_PERIOD_S) },
  { flag: "spend-lookback-days", path: at("lookbackDays"), kind: "number", help: "days of the daily spend rate's lookback", defaultText: "1" },
  { flag: "spend-utc-offset-minutes", path: at("utcOffsetMinutes"), kind: "integer", help: "offset of the billing calendar from UTC, minutes", defaultText: "0" },
  { flag: "opencost-url", path: at("opencost.url"), kind: "string", help: "OpenCost API root, e.g. http://opencost.opencost:9003 (with --spend-source opencost)" },
  { flag: "prometheus-url", path: at("prometheus.url"), kind: "string", help: "Prometheus API root (with --spend-source prometheus)" },
  { flag: "prometheus-mtd-query", path: at("prometheus.monthToDateQuery"), kind: "string", help: "PromQL for the pool's month-to-date spend, USD; {{monthElapsed}} {{lookback}} {{lookbackDays}} are filled in" },
  { flag: "prometheus-rate-query", path: at("prometheus.dailyRateQuery"), kind: "string", help: "PromQL for the pool's average spend per day over the lookback, USD/day" },
  { flag: "ledger-usd-per-gpu-hour", path: at("ledger.usdPerGpuHour"), kind: "number", help: "price of one GPU-hour on the pool's nodes, USD (with --spend-source ledger)" },
];

/** The control law's settings for this config: gpu-steward's defaults with the operator's budget and margin. */
export function spendControllerConfig(c: SpendLoopConfig): SpendConfig {
  if (c.budgetUsd === undefined) {
    throw new StewardError("CONFIG_INVALID", "--spend-budget-usd is required with a spend source", at("budgetUsd"));
  }
  return { ...DEFAULT_SPEND_CONFIG, budgetUsd: c.budgetUsd, safetyMargin: c.safetyMargin, utcOffsetMinutes: c.utcOffsetMinutes };
}

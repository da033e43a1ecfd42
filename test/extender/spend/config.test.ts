import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_SPEND_CONFIG } from "../../../core/spend/index.js";
import { loadConfig } from "../../../platform/config/load.js";
import { isStewardError, type StewardError } from "../../../platform/errors.js";
import { Registry } from "prom-client";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";
import { SpendLoopConfig, createSpendLoop, spendControllerConfig, spendOptions, spendSourceFromConfig } from "../../../extender/spend/index.js";

/** As the controller mounts it: `extender.spend`. */
const Mounted = z.object({ extender: z.object({ spend: SpendLoopConfig }).prefault({}) });

function load(flags: Record<string, string>, env: Record<string, string> = {}): SpendLoopConfig {
  return loadConfig(Mounted, spendOptions, { flags, env }).extender.spend;
}

function invalid(flags: Record<string, string>): StewardError {
  try {
    load(flags);
  } catch (err) {
    if (isStewardError(err, "CONFIG_INVALID")) return err;
    throw err;
  }
  throw new Error("expected CONFIG_INVALID");
}

const PROMETHEUS = {
  "spend-source": "prometheus",
  "spend-budget-usd": "120000",
  "prometheus-url": "http://prometheus.monitoring:9090",
  "prometheus-mtd-query": "sum(increase(credits_spent_usd_total[{{monthElapsed}}]))",
  "prometheus-rate-query": "sum(increase(credits_spent_usd_total[{{lookback}}])) / {{lookbackDays}}",
};

describe("spend loop config", () => {
  it("is off by default, with the seed's numbers and the credits pool", () => {
    expect(load({})).toEqual({
      source: "none",
      safetyMargin: 0.02,
      baselinePct: 35,
      pool: "credits",
      periodS: 300,
      lookbackDays: 1,
      utcOffsetMinutes: 0,
      opencost: {},
      prometheus: {},
      ledger: {},
    });
    expect(spendSourceFromConfig(load({}))).toBeUndefined();
  });

  it("takes every flag to its path, and STEWARD_* variables below flags", () => {
    const c = load(
      { ...PROMETHEUS, "spend-margin": "0.05", "spend-baseline-pct": "20", "spend-pool": "gcp-credits", "spend-period-s": "600", "spend-lookback-days": "3" },
      { STEWARD_SPEND_PERIOD_S: "60", STEWARD_SPEND_UTC_OFFSET_MINUTES: "-300", STEWARD_LEDGER_USD_PER_GPU_HOUR: "2.5", STEWARD_OPENCOST_URL: "http://opencost:9003" },
    );
    expect(c).toEqual({
      source: "prometheus",
      budgetUsd: 120_000,
      safetyMargin: 0.05,
      baselinePct: 20,
      pool: "gcp-credits",
      periodS: 600,
      lookbackDays: 3,
      utcOffsetMinutes: -300,
      opencost: { url: "http://opencost:9003" },
      prometheus: { url: PROMETHEUS["prometheus-url"], monthToDateQuery: PROMETHEUS["prometheus-mtd-query"], dailyRateQuery: PROMETHEUS["prometheus-rate-query"] },
      ledger: { usdPerGpuHour: 2.5 },
    });
    expect(spendControllerConfig(c)).toEqual({ ...DEFAULT_SPEND_CONFIG, budgetUsd: 120_000, safetyMargin: 0.05, utcOffsetMinutes: -300 });
    expect(spendSourceFromConfig(c)?.name).toBe("prometheus");
  });

  it.each<{ name: string; flags: Record<string, string>; line: string }>([
    { name: "an opencost source without its URL", flags: { "spend-source": "opencost", "spend-budget-usd": "1000" }, line: "extender.spend.opencost.url: --opencost-url is required with --spend-source opencost" },
    { name: "a source without a budget", flags: { "spend-source": "opencost", "opencost-url": "http://opencost:9003" }, line: "extender.spend.budgetUsd: --spend-budget-usd is required with --spend-source opencost" },
    { name: "a ledger source without a price", flags: { "spend-source": "ledger", "spend-budget-usd": "1000" }, line: "extender.spend.ledger.usdPerGpuHour: --ledger-usd-per-gpu-hour is required" },
    { name: "a prometheus source without its rate query", flags: { ...PROMETHEUS, "prometheus-rate-query": "" }, line: "extender.spend.prometheus.dailyRateQuery:" },
    { name: "an unknown placeholder in a query", flags: { ...PROMETHEUS, "prometheus-mtd-query": "sum(x[{{month}}])" }, line: "extender.spend.prometheus.monthToDateQuery: unknown placeholder {{month}}" },
    { name: "an unknown source", flags: { "spend-source": "ternary" }, line: 'extender.spend.source: Invalid option: expected one of "none"|"opencost"|"prometheus"|"ledger", got "ternary" (from --spend-source)' },
    { name: "a margin of 1", flags: { "spend-margin": "1" }, line: "extender.spend.safetyMargin:" },
    { name: "a baseline over 100", flags: { "spend-baseline-pct": "120" }, line: "extender.spend.baselinePct:" },
    { name: "a period longer than the stop horizon", flags: { "spend-period-s": "7200" }, line: "extender.spend.periodS:" },
    { name: "an empty pool", flags: { "spend-pool": "" }, line: "extender.spend.pool: expected a label value" },
    { name: "a pool that is not a label value", flags: { "spend-pool": "credits pool" }, line: "extender.spend.pool: expected a label value" },
    { name: "a URL that is not http", flags: { "spend-source": "opencost", "spend-budget-usd": "1", "opencost-url": "ftp://opencost" }, line: "extender.spend.opencost.url:" },
  ])("refuses $name, naming the field", ({ flags, line }) => {
    expect(invalid(flags).message).toContain(line);
  });

  it("needs the pool's node names for OpenCost and the GPU usages for the ledger", () => {
    const opencost = load({ "spend-source": "opencost", "spend-budget-usd": "1000", "opencost-url": "http://opencost:9003" });
    expect(() => spendSourceFromConfig(opencost)).toThrow(/isPoolNode/);
    expect(spendSourceFromConfig(opencost, { isPoolNode: () => true })?.name).toBe("opencost");
    const ledger = load({ "spend-source": "ledger", "spend-budget-usd": "1000", "ledger-usd-per-gpu-hour": "2" });
    expect(() => spendSourceFromConfig(ledger)).toThrow(/GPU usages/);
    expect(spendSourceFromConfig(ledger, { ledgerUsages: () => [] })?.name).toBe("ledger");
  });

  it("prices the configured pool in the ledger", async () => {
    const ledger = load({ "spend-source": "ledger", "spend-budget-usd": "1000", "ledger-usd-per-gpu-hour": "2", "spend-pool": "credits" });
    const startMs = Date.UTC(2025, 5, 16);
    const source = spendSourceFromConfig(ledger, {
      ledgerUsages: () => [
        { gpus: 8, pool: "credits", startMs, endMs: null },
        { gpus: 8, pool: "on-demand", startMs, endMs: null },
      ],
    })!;
    // 8 GPUs × 10 h × $2 on the pool; the other pool is not paid from the credits.
    expect(await source.read(startMs + 10 * 3_600_000)).toEqual({ monthToDateUsd: 160, dailyRateUsd: 160 });
  });

  it("lists every option once, all under extender.spend", () => {
    const flags = spendOptions.map((o) => o.flag);
    expect(new Set(flags).size).toBe(flags.length);
    expect(spendOptions.every((o) => o.path.startsWith("extender.spend."))).toBe(true);
  });

  it("builds no loop when routing is off, and a loop over the configured source, pool and period otherwise", async () => {
    const store = openStore(":memory:", createLogger({ level: "silent" }));
    const wiring = { db: store.db, registry: new Registry(), clock: new ManualClock(Date.UTC(2025, 5, 16)), log: createLogger({ level: "silent" }) };
    expect(createSpendLoop({ ...wiring, config: load({}) })).toBeUndefined();

    const config = load({ "spend-source": "ledger", "spend-budget-usd": "1000", "ledger-usd-per-gpu-hour": "2", "spend-pool": "gcp" });
    const loop = createSpendLoop({ ...wiring, config, sources: { ledgerUsages: () => [{ gpus: 1, pool: "gcp", startMs: Date.UTC(2025, 5, 15), endMs: null }] } })!;
    expect(loop).toMatchObject({ pool: "gcp", sourceName: "ledger" });
    expect(await loop.step()).toMatchObject({ kind: "decided", record: { figures: { monthToDateUsd: 48, dailyRateUsd: 48 } } });
    expect(await wiring.registry.getSingleMetricAsString("gpu_steward_spend_month_to_date_usd")).toContain('gpu_steward_spend_month_to_date_usd{pool="gcp"} 48');
    store.close();
  });
});

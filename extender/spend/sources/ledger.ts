/**
 * Spend from the embedded ledger (§D, allocation view): GPU-hours of pods on priced pools × price,
 * computed by core/spend from the usages the caller keeps (the cluster view's GPU pods, plus those
 * finished this month). No network; a failure to list usages is the caller's and propagates as is.
 */
import { dailyRateUsd, monthToDateUsd, type GpuUsage, type PoolPrices } from "../../../core/spend/index.js";
import type { SpendFigures, SpendSource } from "./port.js";
import { requireLookbackDays, requireUtcOffsetMinutes } from "./window.js";

export interface LedgerSourceOptions {
  /** Every GPU usage that may overlap this month or the lookback. */
  usages: () => readonly GpuUsage[] | Promise<readonly GpuUsage[]>;
  /** Pool → USD per GPU-hour; only these pools count. */
  prices: PoolPrices;
  lookbackDays?: number;
  utcOffsetMinutes?: number;
}

export class LedgerSpendSource implements SpendSource {
  readonly name = "ledger";
  private readonly lookbackDays: number;
  private readonly utcOffsetMinutes: number;

  constructor(private readonly opts: LedgerSourceOptions) {
    this.lookbackDays = requireLookbackDays("ledger.lookbackDays", opts.lookbackDays ?? 1);
    this.utcOffsetMinutes = requireUtcOffsetMinutes("ledger.utcOffsetMinutes", opts.utcOffsetMinutes ?? 0);
  }

  async read(nowMs: number): Promise<SpendFigures> {
    const usages = await this.opts.usages();
    return {
      monthToDateUsd: monthToDateUsd(usages, this.opts.prices, nowMs, this.utcOffsetMinutes),
      dailyRateUsd: dailyRateUsd(usages, this.opts.prices, nowMs, this.lookbackDays),
    };
  }
}

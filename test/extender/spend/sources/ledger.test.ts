import { describe, expect, it } from "vitest";
import { FixedSpendSource, LedgerSpendSource } from "../../../../extender/spend/sources/index.js";

const HOUR = 3_600_000;
const NOW = Date.parse("2025-06-16T12:00:00Z");

describe("LedgerSpendSource", () => {
  it("prices GPU-hours on the credit pool only, month-to-date and over the lookback", async () => {
    const usages = [
      // 8 GPUs since 2025-06-15T12:00Z on the pool: 24 h × 8 × $2 = $384, all inside the 1-day lookback.
      { gpus: 8, pool: "credits", startMs: NOW - 24 * HOUR, endMs: null },
      // 4 GPUs for 10 h in May and June's first 2 h: only the June part counts this month.
      { gpus: 4, pool: "credits", startMs: Date.parse("2025-05-31T16:00:00Z"), endMs: Date.parse("2025-06-01T02:00:00Z") },
      // Off the pool: never counts.
      { gpus: 8, pool: "on-demand", startMs: NOW - 48 * HOUR, endMs: null },
    ];
    const source = new LedgerSpendSource({ usages: async () => usages, prices: { credits: 2 } });

    expect(await source.read(NOW)).toEqual({ monthToDateUsd: 384 + 4 * 2 * 2, dailyRateUsd: 384 });
  });

  it("refuses a lookback of 0 days at construction", () => {
    expect(() => new LedgerSpendSource({ usages: () => [], prices: {}, lookbackDays: 0 })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", field: "ledger.lookbackDays" }),
    );
  });
});

describe("FixedSpendSource", () => {
  it("answers the figures it holds, records reads and fails on demand", async () => {
    const source = new FixedSpendSource({ monthToDateUsd: 1, dailyRateUsd: 2 });
    expect(await source.read(10)).toEqual({ monthToDateUsd: 1, dailyRateUsd: 2 });
    source.set({ monthToDateUsd: 3, dailyRateUsd: 4 });
    source.fail(new Error("down"));
    await expect(source.read(20)).rejects.toThrow("down");
    source.fail(undefined);
    expect(await source.read(30)).toEqual({ monthToDateUsd: 3, dailyRateUsd: 4 });
    expect(source.readsAtMs).toEqual([10, 20, 30]);
  });
});

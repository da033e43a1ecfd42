import { describe, expect, it } from "vitest";
import {
  dailyRateUsd,
  gpuHoursInWindow,
  monthToDateUsd,
  spendByMonthUsd,
  spendInWindowUsd,
  type GpuUsage,
  type PoolPrices,
} from "../../../core/spend/index.js";

const at = (iso: string): number => Date.parse(iso);
const prices: PoolPrices = { credits: 2.5, "credits-h100": 4 };
const usage = (gpus: number, pool: string | null, start: string, end: string | null): GpuUsage => ({
  gpus,
  pool,
  startMs: at(start),
  endMs: end === null ? null : at(end),
});

describe("gpuHoursInWindow", () => {
  const window = { startMs: at("2025-06-01T00:00:00Z"), endMs: at("2025-07-01T00:00:00Z") };
  it("counts only the overlap with the window", () => {
    const u = usage(8, "credits", "2025-05-31T22:00:00Z", "2025-06-01T03:00:00Z");
    expect(gpuHoursInWindow(u, window, at("2025-06-10T00:00:00Z"))).toBe(24);
  });
  it("counts a running pod up to now, and nothing for a pod that starts later", () => {
    const now = at("2025-06-01T10:30:00Z");
    expect(gpuHoursInWindow(usage(2, "credits", "2025-06-01T10:00:00Z", null), window, now)).toBe(1);
    expect(gpuHoursInWindow(usage(2, "credits", "2025-06-02T00:00:00Z", null), window, now)).toBe(0);
  });
});

describe("spend from the embedded ledger", () => {
  const now = at("2025-06-16T12:00:00Z");
  const usages: GpuUsage[] = [
    usage(8, "credits", "2025-05-31T12:00:00Z", "2025-06-01T12:00:00Z"), // 12 h in May, 12 h in June: 96 GPU-h each
    usage(4, "credits-h100", "2025-06-15T12:00:00Z", null), // 24 h × 4 = 96 GPU-h, at $4
    usage(16, "on-demand", "2025-06-01T00:00:00Z", null), // not paid from credits
    usage(2, null, "2025-06-01T00:00:00Z", null), // a node with no pool label
  ];

  it("month-to-date sums GPU-hours × the pool's price since the first of the month", () => {
    expect(monthToDateUsd(usages, prices, now)).toBe(96 * 2.5 + 96 * 4);
  });

  it("the daily rate is over exactly N × 24 h ending now (§A.9.4 fixed)", () => {
    expect(dailyRateUsd(usages, prices, now, 1)).toBe(96 * 4);
    expect(dailyRateUsd(usages, prices, now, 2)).toBe((96 * 4) / 2);
  });

  it("splits spend by billing month", () => {
    expect(spendByMonthUsd(usages, prices, now)).toEqual({ "2025-05": 240, "2025-06": 96 * 2.5 + 96 * 4 });
    expect(spendByMonthUsd(usages, {}, now)).toEqual({});
  });

  it("ignores inherited keys as pool names", () => {
    expect(spendInWindowUsd([usage(1, "constructor", "2025-06-01T00:00:00Z", null)], prices, { startMs: 0, endMs: now }, now)).toBe(0);
  });

  it.each([
    { name: "end before start", call: () => spendInWindowUsd([], prices, { startMs: 10, endMs: 5 }, now), field: "window.endMs" },
    { name: "NaN GPUs", call: () => monthToDateUsd([{ ...usages[0]!, gpus: Number.NaN }], prices, now), field: "usages[0].gpus" },
    {
      name: "usage ending before it starts",
      call: () => monthToDateUsd([{ ...usages[1]!, endMs: 0 }], prices, now),
      field: "usages[0].endMs",
    },
    { name: "negative price", call: () => monthToDateUsd(usages, { credits: -1 }, now), field: "prices.credits" },
    { name: "zero lookback", call: () => dailyRateUsd(usages, prices, now, 0), field: "days" },
    { name: "NaN now", call: () => monthToDateUsd(usages, prices, Number.NaN), field: "nowMs" },
  ])("rejects $name naming $field", ({ call, field }) => {
    expect(call).toThrow(expect.objectContaining({ name: "SpendInputError", field }));
  });
});

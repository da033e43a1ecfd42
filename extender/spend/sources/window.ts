/**
 * The two time windows every source asks about, from the injected time and the billing calendar of
 * core/spend: the month so far, and the exact N × 24 h lookback ending now (the seed's lookback began
 * at midnight N days ago and overstated the rate, §A.9.4).
 */
import { billingMonthAt, type TimeWindow } from "../../../core/spend/index.js";
import { StewardError } from "../../../platform/errors.js";

const DAY_MS = 86_400_000;

export interface SpendWindows {
  monthToDate: TimeWindow;
  lookback: TimeWindow;
  lookbackDays: number;
}

export function spendWindows(nowMs: number, lookbackDays: number, utcOffsetMinutes: number): SpendWindows {
  const { startMs } = billingMonthAt(nowMs, utcOffsetMinutes);
  return {
    monthToDate: { startMs, endMs: nowMs },
    lookback: { startMs: nowMs - lookbackDays * DAY_MS, endMs: nowMs },
    lookbackDays,
  };
}

/** Options shared by the HTTP sources, checked when the source is built. */
export function requireLookbackDays(field: string, days: number): number {
  if (!Number.isFinite(days) || days <= 0) {
    throw new StewardError("CONFIG_INVALID", `${field}: expected a number of days > 0, got ${days}`, field);
  }
  return days;
}

export function requireBaseUrl(field: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new StewardError("CONFIG_INVALID", `${field}: expected an http(s) URL, got ${JSON.stringify(raw)}`, field);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StewardError("CONFIG_INVALID", `${field}: expected an http(s) URL, got ${JSON.stringify(raw)}`, field);
  }
  // Kept as a prefix: OpenCost or Prometheus may sit under a path behind a proxy.
  return raw.replace(/\/+$/, "");
}

export function requireUtcOffsetMinutes(field: string, minutes: number): number {
  try {
    billingMonthAt(0, minutes);
  } catch (err) {
    throw new StewardError("CONFIG_INVALID", `${field}: ${(err as Error).message}`, field);
  }
  return minutes;
}

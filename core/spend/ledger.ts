/**
 * The embedded spend ledger (§D, allocation view): what the credit pool cost, computed from the GPU
 * pods that ran on its nodes.
 *
 *   spend(window) = Σ over pods on a priced pool of  gpus × hours of [start, end or now] ∩ window × price(pool)
 *
 * Month-to-date is spend([month start, now]); the daily rate is spend([now − N days, now]) ÷ N, an
 * exact N × 24 h window (the seed's window ran from midnight N days ago, so it also counted part of
 * today and overstated the rate, §A.9.4).
 */
import { DAY_MS, billingMonthAt } from "./calendar.js";
import { SpendInputError, requireEpochMs, requireNonNegative, requirePositive } from "./errors.js";

/** One pod's GPU allocation on one node. */
export interface GpuUsage {
  /** `nvidia.com/gpu` the pod requested. */
  gpus: number;
  /** Pool label of the node it ran on (`gpu-steward.io/pool` or a cloud pool label); null if none. */
  pool: string | null;
  /** When it started holding the GPUs (PodScheduled / startTime), epoch ms. */
  startMs: number;
  /** When it stopped (container finishedAt, deletion); null while it still runs. */
  endMs: number | null;
}

/** Pool → USD per GPU-hour. Only pools listed here are paid from the credits. */
export type PoolPrices = Readonly<Record<string, number>>;

export interface TimeWindow {
  startMs: number;
  endMs: number;
}

const HOUR_MS = 3_600_000;

function validateWindow(w: TimeWindow, path: string): void {
  requireEpochMs(`${path}.startMs`, w.startMs);
  requireEpochMs(`${path}.endMs`, w.endMs);
  if (w.endMs < w.startMs) throw new SpendInputError(`${path}.endMs`, "must not be before startMs");
}

function validateUsage(u: GpuUsage, path: string): void {
  requireNonNegative(`${path}.gpus`, u.gpus);
  requireEpochMs(`${path}.startMs`, u.startMs);
  if (u.endMs !== null) {
    requireEpochMs(`${path}.endMs`, u.endMs);
    if (u.endMs < u.startMs) throw new SpendInputError(`${path}.endMs`, "must not be before startMs");
  }
}

function validatePrices(prices: PoolPrices): void {
  for (const [pool, usd] of Object.entries(prices)) requireNonNegative(`prices.${pool}`, usd);
}

function priceOf(prices: PoolPrices, pool: string | null): number | undefined {
  return pool !== null && Object.hasOwn(prices, pool) ? prices[pool] : undefined;
}

/** GPU-hours of one usage inside the window; a usage still running counts up to `nowMs`. */
export function gpuHoursInWindow(u: GpuUsage, window: TimeWindow, nowMs: number): number {
  const from = Math.max(u.startMs, window.startMs);
  const to = Math.min(u.endMs ?? nowMs, window.endMs, nowMs);
  return to > from ? (u.gpus * (to - from)) / HOUR_MS : 0;
}

/** USD the priced pools cost over the window, as far as `nowMs`. */
export function spendInWindowUsd(usages: readonly GpuUsage[], prices: PoolPrices, window: TimeWindow, nowMs: number): number {
  validatePrices(prices);
  validateWindow(window, "window");
  requireEpochMs("nowMs", nowMs);
  let usd = 0;
  usages.forEach((u, i) => {
    validateUsage(u, `usages[${i}]`);
    const price = priceOf(prices, u.pool);
    if (price !== undefined) usd += gpuHoursInWindow(u, window, nowMs) * price;
  });
  return usd;
}

/** Spend since the start of the billing month: the controller's `monthToDateUsd`. */
export function monthToDateUsd(usages: readonly GpuUsage[], prices: PoolPrices, nowMs: number, utcOffsetMinutes = 0): number {
  const { startMs } = billingMonthAt(nowMs, utcOffsetMinutes);
  return spendInWindowUsd(usages, prices, { startMs, endMs: nowMs }, nowMs);
}

/** Average USD per day over the last `days` × 24 h: the controller's `dailyRateUsd`. */
export function dailyRateUsd(usages: readonly GpuUsage[], prices: PoolPrices, nowMs: number, days: number): number {
  requirePositive("days", days);
  requireEpochMs("nowMs", nowMs);
  return spendInWindowUsd(usages, prices, { startMs: nowMs - days * DAY_MS, endMs: nowMs }, nowMs) / days;
}

/** Spend per billing month (`YYYY-MM` → USD), from the first priced usage's month to now's. */
export function spendByMonthUsd(
  usages: readonly GpuUsage[],
  prices: PoolPrices,
  nowMs: number,
  utcOffsetMinutes = 0,
): Record<string, number> {
  requireEpochMs("nowMs", nowMs);
  const priced = usages.filter((u) => priceOf(prices, u.pool) !== undefined);
  const out: Record<string, number> = {};
  if (priced.length === 0) return out;
  const firstMs = priced.reduce((min, u) => Math.min(min, u.startMs), Infinity);
  let month = billingMonthAt(Math.min(firstMs, nowMs), utcOffsetMinutes);
  for (;;) {
    out[month.key] = spendInWindowUsd(usages, prices, { startMs: month.startMs, endMs: month.endMs }, nowMs);
    if (month.endMs > nowMs) return out;
    month = billingMonthAt(month.endMs, utcOffsetMinutes);
  }
}

/**
 * The billing month a moment falls in. Credits are granted per calendar month; which calendar is
 * the caller's choice through a fixed offset from UTC (0 = UTC months, as cloud bills count them).
 * The seed used the host's local time and a December-breaking "first of month + 1" construction
 * (§A.9.1); here month ends come from the calendar itself, so December has 31 days.
 */
import { SpendInputError, requireEpochMs, requireFinite } from "./errors.js";

export interface BillingMonth {
  /** `YYYY-MM` of the billing calendar. */
  key: string;
  /** First instant of the month, epoch ms. */
  startMs: number;
  /** First instant of the next month, epoch ms (exclusive end). */
  endMs: number;
  daysInMonth: number;
  /** 1-based calendar day of the moment asked about. */
  dayOfMonth: number;
}

const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** Real offsets run from UTC−12:00 to UTC+14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

export function requireUtcOffset(field: string, minutes: number): number {
  requireFinite(field, minutes);
  if (!Number.isInteger(minutes) || Math.abs(minutes) > MAX_OFFSET_MINUTES) {
    throw new SpendInputError(field, `expected whole minutes within ±${MAX_OFFSET_MINUTES}, got ${minutes}`);
  }
  return minutes;
}

/** Epoch ms of 00:00 on year-month(0-based)-day in the billing calendar; month overflow rolls the year. */
function calendarMs(year: number, month0: number, day: number, offsetMinutes: number): number {
  const d = new Date(0);
  // setUTCFullYear rather than Date.UTC: Date.UTC maps years 0–99 to the 1900s.
  d.setUTCFullYear(year, month0, day);
  return d.getTime() - offsetMinutes * MINUTE_MS;
}

export function billingMonthAt(nowMs: number, utcOffsetMinutes = 0): BillingMonth {
  requireEpochMs("nowMs", nowMs);
  requireUtcOffset("utcOffsetMinutes", utcOffsetMinutes);
  const wall = new Date(nowMs + utcOffsetMinutes * MINUTE_MS);
  const year = wall.getUTCFullYear();
  const month0 = wall.getUTCMonth();
  const startMs = calendarMs(year, month0, 1, utcOffsetMinutes);
  const endMs = calendarMs(year, month0 + 1, 1, utcOffsetMinutes);
  return {
    key: monthKey(year, month0),
    startMs,
    endMs,
    daysInMonth: Math.round((endMs - startMs) / DAY_MS),
    dayOfMonth: wall.getUTCDate(),
  };
}

function monthKey(year: number, month0: number): string {
  const yyyy = String(year).padStart(4, "0");
  return `${yyyy}-${String(month0 + 1).padStart(2, "0")}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * `YYYY-MM-DD` → epoch ms of that day's 00:00 in the billing calendar (for `steward spend plan
 * --date`). Rejects dates the calendar does not have (2025-02-30).
 */
export function dateToEpochMs(field: string, isoDate: string, utcOffsetMinutes = 0): number {
  const m = ISO_DATE.exec(isoDate);
  if (m === null) throw new SpendInputError(field, `expected YYYY-MM-DD, got ${JSON.stringify(isoDate)}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = calendarMs(year, month - 1, day, requireUtcOffset("utcOffsetMinutes", utcOffsetMinutes));
  const back = billingMonthAt(ms, utcOffsetMinutes);
  if (month < 1 || month > 12 || back.dayOfMonth !== day) {
    throw new SpendInputError(field, `no such calendar date: ${isoDate}`);
  }
  return ms;
}

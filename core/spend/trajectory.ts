/**
 * The budget trajectory: how much of the month's target should be spent by a given moment. A
 * straight line from 0 at the month's start to the target at its end, drawn one of three ways
 * (see TrajectoryKind and README "Decisions").
 */
import { type BillingMonth, DAY_MS, billingMonthAt } from "./calendar.js";
import { SpendInputError, requireNonNegative } from "./errors.js";
import type { TrajectoryKind } from "./types.js";

export interface TrajectoryPoint {
  month: BillingMonth;
  /** Ideal month-to-date spend at this moment, USD. */
  idealUsd: number;
  /** Days left to spend the rest in; 0 on the seed's last day. */
  daysRemaining: number;
}

export function idealSpend(
  kind: TrajectoryKind,
  targetUsd: number,
  nowMs: number,
  utcOffsetMinutes = 0,
): TrajectoryPoint {
  requireNonNegative("targetUsd", targetUsd);
  const month = billingMonthAt(nowMs, utcOffsetMinutes);
  const { dayOfMonth: day, daysInMonth: days } = month;
  switch (kind) {
    case "seedCalendarDay": {
      // The seed counts today as elapsed and has no days left on the last day, where it sets the ideal to 0.
      const daysRemaining = days - day;
      const idealUsd = daysRemaining <= 0 ? 0 : (day / days) * targetUsd;
      return { month, idealUsd, daysRemaining };
    }
    case "calendarDay":
      // Today is both elapsed (the ideal counts it) and still available to spend in.
      return { month, idealUsd: (day / days) * targetUsd, daysRemaining: days - day + 1 };
    case "continuous": {
      const fraction = (nowMs - month.startMs) / (month.endMs - month.startMs);
      return { month, idealUsd: fraction * targetUsd, daysRemaining: (month.endMs - nowMs) / DAY_MS };
    }
    default:
      throw new SpendInputError("trajectory", `unknown trajectory ${JSON.stringify(kind as string)}`);
  }
}

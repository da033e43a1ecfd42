import { describe, expect, it } from "vitest";
import { SpendInputError, billingMonthAt, dateToEpochMs, idealSpend } from "../../../core/spend/index.js";

const TARGET = 490_000;
const at = (iso: string): number => Date.parse(iso);

describe("billingMonthAt", () => {
  it.each([
    ["2025-12-10T12:00:00Z", "2025-12", 31], // §A.9.1: the seed crashed here
    ["2025-02-10T00:00:00Z", "2025-02", 28],
    ["2024-02-29T23:59:59Z", "2024-02", 29],
    ["2025-06-30T23:59:59.999Z", "2025-06", 30],
  ])("%s is in %s of %i days", (iso, key, days) => {
    const m = billingMonthAt(at(iso));
    expect(m.key).toBe(key);
    expect(m.daysInMonth).toBe(days);
    expect(m.endMs - m.startMs).toBe(days * 86_400_000);
  });

  it("rolls December into January of the next year", () => {
    const dec = billingMonthAt(at("2025-12-31T23:00:00Z"));
    expect(dec.endMs).toBe(at("2026-01-01T00:00:00Z"));
    expect(billingMonthAt(dec.endMs).key).toBe("2026-01");
  });

  it("counts months in the billing calendar's offset", () => {
    // 23:30 UTC on 31 May is already 1 June at UTC+02:00.
    const m = billingMonthAt(at("2025-05-31T23:30:00Z"), 120);
    expect(m.key).toBe("2025-06");
    expect(m.dayOfMonth).toBe(1);
    expect(m.startMs).toBe(at("2025-05-31T22:00:00Z"));
  });

  it("rejects offsets that are not whole minutes within ±14 h", () => {
    expect(() => billingMonthAt(0, 15 * 60)).toThrow(expect.objectContaining({ field: "utcOffsetMinutes" }));
    expect(() => billingMonthAt(0, 0.5)).toThrow(SpendInputError);
  });
});

describe("dateToEpochMs", () => {
  it("reads YYYY-MM-DD as that day's 00:00 in the billing calendar", () => {
    expect(dateToEpochMs("date", "2025-06-16")).toBe(at("2025-06-16T00:00:00Z"));
    expect(dateToEpochMs("date", "2025-06-16", -300)).toBe(at("2025-06-16T05:00:00Z"));
  });
  it.each(["2025-02-30", "2025-13-01", "2025-6-1", "yesterday", "2025-00-10"])("rejects %s naming the field", (text) => {
    expect(() => dateToEpochMs("--date", text)).toThrow(expect.objectContaining({ field: "--date" }));
  });
});

describe("idealSpend", () => {
  it("seedCalendarDay: day ÷ days × target, constant through the day, 0 on the last day", () => {
    const morning = idealSpend("seedCalendarDay", TARGET, at("2025-06-16T00:00:00Z"));
    const evening = idealSpend("seedCalendarDay", TARGET, at("2025-06-16T23:59:00Z"));
    expect(morning.idealUsd).toBe((16 / 30) * TARGET);
    expect(evening.idealUsd).toBe(morning.idealUsd);
    expect(morning.daysRemaining).toBe(14);
    const last = idealSpend("seedCalendarDay", TARGET, at("2025-06-30T12:00:00Z"));
    expect(last).toMatchObject({ idealUsd: 0, daysRemaining: 0 });
  });

  it("calendarDay: the last day's ideal is the whole target, with today still to spend in", () => {
    const last = idealSpend("calendarDay", TARGET, at("2025-06-30T12:00:00Z"));
    expect(last).toMatchObject({ idealUsd: TARGET, daysRemaining: 1 });
    expect(idealSpend("calendarDay", TARGET, at("2025-06-16T05:00:00Z")).idealUsd).toBe((16 / 30) * TARGET);
  });

  it("continuous: the elapsed fraction of the month at that instant", () => {
    expect(idealSpend("continuous", TARGET, at("2025-06-01T00:00:00Z")).idealUsd).toBe(0);
    expect(idealSpend("continuous", TARGET, at("2025-06-16T00:00:00Z")).idealUsd).toBeCloseTo((15 / 30) * TARGET, 6);
    const noon = idealSpend("continuous", TARGET, at("2025-06-16T12:00:00Z"));
    expect(noon.idealUsd).toBeCloseTo((15.5 / 30) * TARGET, 6);
    expect(noon.daysRemaining).toBeCloseTo(14.5, 12);
  });

  it("continuous never runs ahead of the calendar-day line", () => {
    for (let h = 0; h < 24 * 30; h += 7) {
      const t = at("2025-06-01T00:00:00Z") + h * 3_600_000;
      expect(idealSpend("continuous", TARGET, t).idealUsd).toBeLessThanOrEqual(idealSpend("calendarDay", TARGET, t).idealUsd);
    }
  });

  it("rejects a negative target and an unknown kind", () => {
    expect(() => idealSpend("continuous", -1, 0)).toThrow(expect.objectContaining({ field: "targetUsd" }));
    expect(() => idealSpend("weekly" as "continuous", 1, 0)).toThrow(expect.objectContaining({ field: "trajectory" }));
  });
});

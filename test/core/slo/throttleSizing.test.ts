import { describe, expect, it } from "vitest";
import {
  DEFAULT_THROTTLE_POLICY,
  formatCpuMax,
  MIB,
  nextCpuQuotaUs,
  nextIoLimitBytes,
  originalIoLimitBytes,
  parseCpuMax,
  ThrottlePolicy,
} from "../../../core/slo/index.js";

const p = DEFAULT_THROTTLE_POLICY;

describe("originalIoLimitBytes (Cluster-Helper io_limit vectors, §B.4)", () => {
  it.each([
    { severity: -0.5, bytes: 786432000 },
    { severity: 0.0, bytes: 524288000 },
    { severity: 0.2, bytes: 419430400 },
    { severity: 0.5, bytes: 262144000 },
    // 1 − 0.8 is 0.19999999999999996, so 99 MiB/s, not 100.
    { severity: 0.8, bytes: 103809024 },
    { severity: 0.9, bytes: 52428800 },
    { severity: 1.0, bytes: 52428800 },
    { severity: 1.5, bytes: 52428800 },
    { severity: 3.0, bytes: 52428800 },
  ])("max 1000, severity $severity → $bytes B/s", ({ severity, bytes }) => {
    expect(originalIoLimitBytes(severity, 1000)).toBe(bytes);
  });

  it("max 500 at severity 0.2 → 209715200; max 1 at severity 0 → 0", () => {
    expect(originalIoLimitBytes(0.2, 500)).toBe(209715200);
    expect(originalIoLimitBytes(0, 1)).toBe(0);
  });

  it("limits more for a worse violation: io(0.2) > io(1.5) > 0", () => {
    expect(originalIoLimitBytes(0.2, 500)).toBeGreaterThan(originalIoLimitBytes(1.5, 500));
    expect(originalIoLimitBytes(1.5, 500)).toBeGreaterThan(0);
  });
});

describe("nextIoLimitBytes", () => {
  it("halves from the ceiling on the first step, whatever the severity", () => {
    expect(nextIoLimitBytes(undefined, 3, p)).toBe(500 * MIB);
    expect(nextIoLimitBytes(undefined, 0, p)).toBe(500 * MIB);
  });

  it("walks down one step at a time to the severity's target and stays there", () => {
    // Severity 0.8: target 99 MiB/s. 500 → 250 → 125 → 99 → 99.
    const steps: number[] = [];
    let current: number | undefined;
    for (let i = 0; i < 5; i++) steps.push((current = nextIoLimitBytes(current, 0.8, p)));
    expect(steps.map((b) => b / MIB)).toEqual([500, 250, 125, 99, 99]);
  });

  it("never goes below the floor", () => {
    const floorOnly = ThrottlePolicy.parse({ ioFloorMiBps: 80 });
    expect(nextIoLimitBytes(100 * MIB, 5, floorOnly)).toBe(80 * MIB);
    expect(nextIoLimitBytes(80 * MIB, 5, floorOnly)).toBe(80 * MIB);
  });

  it("never loosens a limit", () => {
    expect(nextIoLimitBytes(60 * MIB, 0, p)).toBe(60 * MIB);
  });

  it("refuses a floor above the ceiling, naming the field", () => {
    const parsed = ThrottlePolicy.safeParse({ ioCeilingMiBps: 100, ioFloorMiBps: 200 });
    expect(parsed.error?.issues[0]?.path).toEqual(["ioFloorMiBps"]);
  });
});

describe("cpu.max sizing", () => {
  it.each([
    { text: "max 100000\n", want: { quotaUs: "max", periodUs: 100000 } },
    { text: "200000 100000", want: { quotaUs: 200000, periodUs: 100000 } },
    { text: "50000", want: { quotaUs: 50000, periodUs: 100000 } },
    { text: "bogus", want: undefined },
  ])("parses $text", ({ text, want }) => {
    expect(parseCpuMax(text)).toEqual(want);
  });

  it("formats as the kernel reads it back", () => {
    expect(formatCpuMax({ quotaUs: "max", periodUs: 100000 })).toBe("max 100000");
  });

  it("steps an unlimited pod down from the whole node", () => {
    // 8 cores = 800000 µs per 100 ms; first step halves; severity 2 target = 0.05 · 800000 = 40000.
    const orig = { quotaUs: "max" as const, periodUs: 100000 };
    const steps: number[] = [];
    let current: number | undefined;
    for (let i = 0; i < 6; i++) steps.push((current = nextCpuQuotaUs(current, orig, 8, 2, p)));
    expect(steps).toEqual([400000, 200000, 100000, 50000, 40000, 40000]);
  });

  it("only ever lowers the kubelet's own limit", () => {
    const orig = { quotaUs: 200000, periodUs: 100000 };
    expect(nextCpuQuotaUs(undefined, orig, 64, 0, p)).toBe(100000);
  });

  it("keeps the floor, but never raises a pod its owner limited below it", () => {
    // One core: severity 5 aims at 5000 µs, the 250 m floor holds it at 25000.
    expect(nextCpuQuotaUs(30000, { quotaUs: "max", periodUs: 100000 }, 1, 5, p)).toBe(25000);
    expect(nextCpuQuotaUs(undefined, { quotaUs: 10000, periodUs: 100000 }, 8, 5, p)).toBe(10000);
  });
});

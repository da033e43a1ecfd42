import { describe, expect, it } from "vitest";
import {
  describeViolation,
  inCooldown,
  newTenant,
  recentLatencies,
  recordLatency,
  SloPolicy,
  startCooldown,
  TenantSloTracker,
  tickCooldown,
  type TenantObservation,
} from "../../../core/slo/index.js";

/** The original put PIDs on GPU pid % 2; its expectations are stated with that mapping, so tests keep it. */
const mockGpu = (pid: number): string => `GPU-${String(pid % 2).padStart(8, "0")}-mock-uuid`;
const GPU0 = mockGpu(0);

/** One poll from a `{pid: p99 ms}` map, as the original's update() took it. */
const poll = (latencies: Record<number, number | undefined>): TenantObservation[] =>
  Object.entries(latencies).map(([pid, ms]) => ({ tenant: pid, gpu: mockGpu(Number(pid)), p99Ms: ms }));

const tracker = (p: Partial<SloPolicy> = {}): TenantSloTracker => new TenantSloTracker(SloPolicy.parse(p));

describe("tenant record (Cluster-Helper §B.7 TenantState expectations)", () => {
  it("starts normal with no count, no cooldown and no history", () => {
    const t = newTenant("1234", GPU0, 100);
    expect(t).toMatchObject({ state: "normal", violationCount: 0, cooldownRemaining: 0, history: [] });
  });

  it("keeps the last 10 of 16 latencies; recent(5) gives 5 numbers", () => {
    const t = newTenant("1234", GPU0, 100);
    for (let i = 0; i < 16; i++) recordLatency(t, i * 1000, 50 + i);
    expect(t.history).toHaveLength(10);
    expect(t.history[0]?.ms).toBe(56);
    expect(recentLatencies(t, 5)).toEqual([61, 62, 63, 64, 65]);
  });

  it("counts a cooldown of 3 down to normal", () => {
    const t = newTenant("1234", GPU0, 100);
    startCooldown(t, 3);
    tickCooldown(t);
    expect(t.cooldownRemaining).toBe(2);
    expect(inCooldown(t)).toBe(true);
    tickCooldown(t);
    tickCooldown(t);
    expect(t.cooldownRemaining).toBe(0);
    expect(inCooldown(t)).toBe(false);
    expect(t.state).toBe("normal");
  });
});

describe("TenantSloTracker (Cluster-Helper §B.7 StateManager expectations, §B.8 rules)", () => {
  it("stores its policy", () => {
    expect(tracker({ tailThresholdMs: 100, persistenceWindows: 3, cooldownObservations: 5 }).policy).toEqual({
      tailThresholdMs: 100,
      persistenceWindows: 3,
      cooldownObservations: 5,
    });
  });

  it("defaults to the original's 100 ms, 3 windows, 10 observations", () => {
    expect(new TenantSloTracker().policy).toEqual({ tailThresholdMs: 100, persistenceWindows: 3, cooldownObservations: 10 });
  });

  it.each([
    { field: "tailThresholdMs", value: 0 },
    { field: "persistenceWindows", value: 0 },
    { field: "cooldownObservations", value: 0 },
  ])("refuses $field = $value", ({ field, value }) => {
    const parsed = SloPolicy.safeParse({ [field]: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([field]);
  });

  it("keeps healthy tenants normal: no violation, count 0", () => {
    const t = tracker();
    expect(t.update(poll({ 1234: 50, 5678: 75 }), 1)).toEqual([]);
    expect(t.tenants()).toHaveLength(2);
    for (const id of ["1234", "5678"]) expect(t.tenant(id)).toMatchObject({ state: "normal", violationCount: 0 });
  });

  it("persistence 2: the first breach degrades, the second violates and puts the victim in cooldown", () => {
    const t = tracker({ persistenceWindows: 2 });
    expect(t.update(poll({ 1234: 150 }), 1)).toEqual([]);
    expect(t.tenant("1234")).toMatchObject({ state: "degraded", violationCount: 1 });
    expect(t.update(poll({ 1234: 150 }), 2)).toHaveLength(1);
    expect(t.tenant("1234")?.state).toBe("cooldown");
  });

  it("a good observation returns a degraded tenant to normal with count 0", () => {
    const t = tracker();
    t.update(poll({ 1234: 150 }), 1);
    expect(t.tenant("1234")?.state).toBe("degraded");
    t.update(poll({ 1234: 50 }), 2);
    expect(t.tenant("1234")).toMatchObject({ state: "normal", violationCount: 0 });
  });

  it("persistence 1 acts on the first breach, and empty polls only tick the cooldown (§B.8 rules 1, 2)", () => {
    const t = tracker({ persistenceWindows: 1, cooldownObservations: 3 });
    expect(t.update(poll({ 1234: 150 }), 1)).toHaveLength(1);
    expect(t.tenant("1234")).toMatchObject({ state: "cooldown", cooldownRemaining: 3 });
    for (let i = 0; i < 3; i++) t.update([], 2 + i);
    expect(t.tenant("1234")).toMatchObject({ state: "normal", cooldownRemaining: 0 });
  });

  it("persistence 1: two victims on one GPU, each with the healthy tenants as co-tenants", () => {
    const t = tracker({ persistenceWindows: 1 });
    const violations = t.update(poll({ 1234: 50, 5678: 150, 9012: 75, 3456: 200 }), 7);
    expect(violations.map((v) => v.victim).sort()).toEqual(["3456", "5678"]);
    const byVictim = Object.fromEntries(violations.map((v) => [v.victim, v]));
    expect(byVictim["5678"]).toMatchObject({ gpu: GPU0, coTenants: ["1234", "9012"], atMs: 7 });
    expect(byVictim["5678"]?.severity).toBeCloseTo(0.5, 12);
    expect(byVictim["3456"]).toMatchObject({ gpu: GPU0, coTenants: ["1234", "9012"] });
    expect(byVictim["3456"]?.severity).toBeCloseTo(1.0, 12);
  });

  it("forgets tenants missing from a non-empty poll", () => {
    const t = tracker();
    t.update(poll({ 1234: 50, 5678: 60, 9012: 70 }), 1);
    t.update(poll({ 1234: 60 }), 2);
    expect(t.tenants().map((x) => x.id)).toEqual(["1234"]);
  });

  it("counts tenants per status", () => {
    const t = tracker();
    t.update(poll({ 1234: 50, 5678: 150 }), 1);
    const counts = t.counts();
    expect(counts.normal).toBeGreaterThanOrEqual(1);
    expect(counts.degraded).toBeGreaterThanOrEqual(1);
    expect(counts).toEqual({ normal: 1, degraded: 1, violated: 0, cooldown: 0, unknown: 0 });
  });

  it("forces a cooldown of the policy's length on a known tenant, and refuses an unknown one", () => {
    const t = tracker({ cooldownObservations: 5 });
    t.update(poll({ 1234: 50 }), 1);
    expect(t.forceCooldown("1234")).toBe(true);
    expect(t.tenant("1234")).toMatchObject({ state: "cooldown", cooldownRemaining: 5 });
    expect(t.forceCooldown("9999")).toBe(false);
    expect(t.forceCooldown("1234", 2)).toBe(true);
    expect(t.tenant("1234")?.cooldownRemaining).toBe(2);
  });

  it("describes a violation with victim and GPU, and keeps its time", () => {
    const t = tracker({ persistenceWindows: 1 });
    const [v] = t.update(poll({ 1234: 160 }), 1_700_000_000_000);
    expect(describeViolation(v!)).toBe(`Violation(victim=1234, gpu=${GPU0}, coTenants=[], severity=0.60)`);
    expect(v?.atMs).toBe(1_700_000_000_000);
  });

  it("follows the original's timeline (threshold 100, persistence 3, cooldown 2)", () => {
    const t = tracker({ persistenceWindows: 3, cooldownObservations: 2 });
    const rows = [150, 160, 170, 180, 190, 200, 210].map((ms, i) => {
      const violations = t.update(poll({ 1234: ms, 1236: 50 }), i + 1);
      const x = t.tenant("1234")!;
      return { state: x.state, count: x.violationCount, cooldown: x.cooldownRemaining, violations };
    });
    expect(rows.map((r) => r.state)).toEqual(["degraded", "degraded", "cooldown", "cooldown", "normal", "degraded", "degraded"]);
    expect(rows.map((r) => r.count)).toEqual([1, 2, 3, 3, 3, 1, 2]);
    expect(rows.slice(2, 5).map((r) => r.cooldown)).toEqual([2, 1, 0]);
    expect(rows.map((r) => r.violations.length)).toEqual([0, 0, 1, 0, 0, 0, 0]);
    const v = rows[2]!.violations[0]!;
    expect(v).toMatchObject({ victim: "1234", gpu: GPU0, coTenants: ["1236"] });
    expect(v.severity).toBeCloseTo(0.6, 12);
  });
});

describe("TenantSloTracker: ours beyond the original", () => {
  it("reports a tenant without data as unknown, never normal", () => {
    const t = tracker();
    t.update([{ tenant: "pod-a", gpu: GPU0, p99Ms: undefined }], 1);
    expect(t.status("pod-a")).toBe("unknown");
    expect(t.counts()).toMatchObject({ normal: 0, unknown: 1 });
  });

  it("neither recovers nor escalates a degraded tenant on a poll without data", () => {
    const t = tracker({ persistenceWindows: 2 });
    t.update([{ tenant: "pod-a", gpu: GPU0, p99Ms: 150 }], 1);
    t.update([{ tenant: "pod-a", gpu: GPU0, p99Ms: Number.NaN }], 2);
    expect(t.tenant("pod-a")).toMatchObject({ state: "degraded", violationCount: 1 });
    expect(t.status("pod-a")).toBe("unknown");
    expect(t.update([{ tenant: "pod-a", gpu: GPU0, p99Ms: 150 }], 3)).toHaveLength(1);
  });

  it("judges each tenant against its own SLO", () => {
    const t = tracker({ persistenceWindows: 1 });
    const v = t.update(
      [
        { tenant: "strict", gpu: GPU0, p99Ms: 60, sloMs: 50 },
        { tenant: "loose", gpu: GPU0, p99Ms: 150, sloMs: 500 },
      ],
      1,
    );
    expect(v.map((x) => x.victim)).toEqual(["strict"]);
    expect(v[0]?.severity).toBeCloseTo(0.2, 12);
  });

  it("groups by the GPU each observation names, not by PID", () => {
    const t = tracker({ persistenceWindows: 1 });
    const v = t.update(
      [
        { tenant: "a", gpu: "GPU-aaaa", p99Ms: 200 },
        { tenant: "b", gpu: "GPU-bbbb", p99Ms: 10 },
      ],
      1,
    );
    expect(v).toEqual([expect.objectContaining({ victim: "a", gpu: "GPU-aaaa", coTenants: [] })]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_THROTTLE_POLICY,
  EMPTY_LEDGER,
  MIB,
  planRelease,
  planTighten,
  ThrottlePolicy,
  type NeighbourPod,
  type ThrottleLedger,
  type TightenRequest,
} from "../../../core/slo/index.js";

const p = DEFAULT_THROTTLE_POLICY;
const victim = { uid: "victim", gpus: ["GPU-0"], numaNodes: [0] };
const noisy: NeighbourPod = { uid: "noisy", throttleOptIn: true, hasSlo: false, gpus: ["GPU-0"], numaNodes: [0], gpuUtilPct: 80, ioBytesPerSec: 1e8 };
const request = (over: Partial<TightenRequest> = {}): TightenRequest => ({
  victim,
  severity: 0.8,
  pods: [noisy],
  originalCpuMax: () => ({ quotaUs: "max", periodUs: 100000 }),
  nodeCpuCores: 8,
  ...over,
});

describe("planTighten", () => {
  it("throttles the bully's io and cpu by one step", () => {
    const { plan, ledger } = planTighten(request(), EMPTY_LEDGER, p, 1_000);
    expect(plan).toEqual({ kind: "throttle", uid: "noisy", relation: "same-gpu", ioBytesPerSec: 500 * MIB, cpu: { quotaUs: 400000, periodUs: 100000 } });
    expect(ledger.throttles["noisy"]).toMatchObject({ victim: "victim", lastChangeMs: 1_000 });
    expect(ledger.changesMs).toEqual([1_000]);
  });

  it("waits out the cooldown before the next step", () => {
    const first = planTighten(request(), EMPTY_LEDGER, p, 0).ledger;
    expect(planTighten(request(), first, p, p.cooldownMs - 1).plan).toEqual({ kind: "skip", reason: "cooldown", uid: "noisy" });
    expect(planTighten(request(), first, p, p.cooldownMs).plan).toMatchObject({ kind: "throttle", ioBytesPerSec: 250 * MIB });
  });

  it("stops when both limits sit at the target", () => {
    let ledger: ThrottleLedger = EMPTY_LEDGER;
    let now = 0;
    for (let i = 0; i < 10; i++, now += p.cooldownMs) ledger = planTighten(request(), ledger, p, now).ledger;
    expect(planTighten(request(), ledger, p, now).plan).toEqual({ kind: "skip", reason: "at-floor", uid: "noisy" });
  });

  it("leaves cpu alone when the pod's cpu.max is not known", () => {
    expect(planTighten(request({ originalCpuMax: () => undefined }), EMPTY_LEDGER, p, 0).plan).toMatchObject({ kind: "throttle", cpu: undefined });
  });

  it("holds to the node's action budget", () => {
    const tight = ThrottlePolicy.parse({ maxActionsPerWindow: 1, rateWindowMs: 60_000, cooldownMs: 0 });
    const other: NeighbourPod = { ...noisy, uid: "other", gpus: ["GPU-1"], numaNodes: [1] };
    const second = request({ victim: { uid: "v2", gpus: ["GPU-1"], numaNodes: [1] }, pods: [other] });
    const { ledger } = planTighten(request(), EMPTY_LEDGER, tight, 0);
    expect(planTighten(second, ledger, tight, 59_999).plan).toEqual({ kind: "skip", reason: "rate-limited", uid: "other" });
    expect(planTighten(second, ledger, tight, 60_000).plan).toMatchObject({ kind: "throttle", uid: "other" });
  });

  it("passes on why no bully was found", () => {
    expect(planTighten(request({ pods: [] }), EMPTY_LEDGER, p, 0).plan).toEqual({ kind: "skip", reason: "no-neighbour" });
  });
});

describe("planRelease", () => {
  it("restores the throttles of recovered victims only", () => {
    let ledger = planTighten(request(), EMPTY_LEDGER, p, 0).ledger;
    const other: NeighbourPod = { ...noisy, uid: "other", gpus: ["GPU-1"], numaNodes: [1] };
    ledger = planTighten(request({ victim: { uid: "v2", gpus: ["GPU-1"], numaNodes: [1] }, pods: [other] }), ledger, p, 0).ledger;
    const { restore, ledger: after } = planRelease(ledger, new Set(["victim"]));
    expect(restore).toEqual(["noisy"]);
    expect(Object.keys(after.throttles)).toEqual(["other"]);
  });
});

describe("Tier 1 properties", () => {
  const uids = ["p0", "p1", "p2", "p3", "p4"];
  const arbPod = (uid: string): fc.Arbitrary<NeighbourPod> =>
    fc.record({
      uid: fc.constant(uid),
      throttleOptIn: fc.boolean(),
      hasSlo: fc.boolean(),
      gpus: fc.subarray(["GPU-0", "GPU-1"]),
      numaNodes: fc.subarray([0, 1]),
      gpuUtilPct: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      ioBytesPerSec: fc.option(fc.integer({ min: 0, max: 2e9 }), { nil: undefined }),
    });
  const arbPods = fc.tuple(...uids.map(arbPod));
  const arbPolicy = fc
    .record({
      ioCeilingMiBps: fc.integer({ min: 1, max: 4000 }),
      ioFloorMiBps: fc.integer({ min: 1, max: 4000 }),
      cpuFloorMillicores: fc.integer({ min: 10, max: 4000 }),
      stepFraction: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      cooldownMs: fc.integer({ min: 0, max: 120_000 }),
      maxActionsPerWindow: fc.integer({ min: 1, max: 5 }),
      rateWindowMs: fc.integer({ min: 1, max: 300_000 }),
    })
    .filter((x) => x.ioFloorMiBps <= x.ioCeilingMiBps)
    .map((x) => ThrottlePolicy.parse(x));
  const arbStep = fc.record({
    dtMs: fc.integer({ min: 0, max: 90_000 }),
    severity: fc.double({ min: -1, max: 5, noNaN: true }),
    victimGpu: fc.constantFrom("GPU-0", "GPU-1"),
    victimNuma: fc.constantFrom(0, 1),
    kubeletQuota: fc.option(fc.integer({ min: 1000, max: 1_600_000 }), { nil: undefined }),
  });

  it("never sets a limit below its floor, never steps a pod twice within a cooldown, never exceeds the node's budget, never touches a pod that did not opt in", () => {
    fc.assert(
      fc.property(arbPods, arbPolicy, fc.array(arbStep, { minLength: 1, maxLength: 40 }), (pods, policy, steps) => {
        let ledger: ThrottleLedger = EMPTY_LEDGER;
        let now = 0;
        const changes: Array<{ uid: string; atMs: number }> = [];
        for (const s of steps) {
          now += s.dtMs;
          const kubelet = { quotaUs: s.kubeletQuota ?? ("max" as const), periodUs: 100000 };
          const req: TightenRequest = {
            victim: { uid: "victim", gpus: [s.victimGpu], numaNodes: [s.victimNuma] },
            severity: s.severity,
            pods,
            originalCpuMax: () => kubelet,
            nodeCpuCores: 16,
          };
          const before = ledger;
          const out = planTighten(req, ledger, policy, now);
          ledger = out.ledger;
          if (out.plan.kind !== "throttle") continue;
          const target = pods.find((x) => x.uid === out.plan.uid);
          expect(target?.throttleOptIn).toBe(true);
          expect(target?.hasSlo).toBe(false);
          expect(out.plan.ioBytesPerSec).toBeGreaterThanOrEqual(policy.ioFloorMiBps * MIB);
          const prior = before.throttles[out.plan.uid];
          // One step at most: a limit never drops below (1 − step) of where it was.
          const from = Math.min(prior?.ioBytesPerSec ?? Number.POSITIVE_INFINITY, policy.ioCeilingMiBps * MIB);
          expect(out.plan.ioBytesPerSec).toBeGreaterThanOrEqual(Math.min(from, Math.trunc(from * (1 - policy.stepFraction))));
          if (out.plan.cpu !== undefined && typeof out.plan.cpu.quotaUs === "number") {
            const base = kubelet.quotaUs === "max" ? 16 * 100000 : kubelet.quotaUs;
            const floor = Math.min(base, Math.max(1000, Math.trunc((policy.cpuFloorMillicores / 1000) * 100000)));
            expect(out.plan.cpu.quotaUs).toBeGreaterThanOrEqual(floor);
            expect(out.plan.cpu.quotaUs).toBeLessThanOrEqual(base);
          }
          const last = changes.filter((c) => c.uid === out.plan.uid).at(-1);
          if (last !== undefined) expect(now - last.atMs).toBeGreaterThanOrEqual(policy.cooldownMs);
          changes.push({ uid: out.plan.uid, atMs: now });
          expect(changes.filter((c) => now - c.atMs < policy.rateWindowMs).length).toBeLessThanOrEqual(policy.maxActionsPerWindow);
        }
      }),
    );
  });
});

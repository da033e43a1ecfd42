import { V1MicroTime } from "@kubernetes/client-node";
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { isStewardError } from "../../../platform/errors.js";
import { ConflictError, KubeApiError } from "../../../platform/kube/errors.js";
import { LeaderElector, unrefWait, type LeaderElectionConfig, type Wait } from "../../../platform/kube/leader.js";
import { LEASES, memoryAdapters, type MemoryKubePorts } from "../../../platform/kube/memory.js";
import { createLogger } from "../../../platform/log.js";
import { START_MS } from "./contract.js";

const log = createLogger({ level: "silent" });
const NS = "gpu-steward";
const NAME = "gpu-steward-controller";

describe("LeaderElector", () => {
  let clock: ManualClock;
  let kube: MemoryKubePorts;
  const elector = (identity: string, c: ManualClock = clock, over: Partial<LeaderElectionConfig> = {}, wait?: Wait): LeaderElector =>
    // No jitter unless a test asks for it: steps land where the clock says.
    new LeaderElector(kube.leases, c, log, { namespace: NS, name: NAME, identity, random: () => 0, ...over }, wait);
  const lease = () => kube.leases.get(NS, NAME);

  beforeEach(() => {
    clock = new ManualClock(START_MS);
    kube = memoryAdapters(log, clock, { podName: "steward-0" });
  });

  describe("tryAcquireOrRenew", () => {
    it("creates the Lease for the first elector; the second follows it", async () => {
      const a = elector("steward-0");
      const b = elector("steward-1");
      expect(await a.tryAcquireOrRenew()).toEqual({ kind: "acquired", holder: "steward-0" });
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
      const spec = (await lease())?.spec;
      expect(spec).toMatchObject({ holderIdentity: "steward-0", leaseDurationSeconds: 15, leaseTransitions: 0 });
      expect(spec?.acquireTime?.getTime()).toBe(START_MS);
      expect(spec?.renewTime?.getTime()).toBe(START_MS);
    });

    it("keeps the Lease with the leader while it renews every retry period", async () => {
      const a = elector("steward-0");
      const b = elector("steward-1");
      await a.tryAcquireOrRenew();
      for (let i = 0; i < 30; i += 1) {
        clock.advance(a.retryPeriodMs);
        expect(await a.tryAcquireOrRenew()).toEqual({ kind: "renewed", holder: "steward-0" });
        expect(await b.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
      }
      const spec = (await lease())?.spec;
      expect(spec?.acquireTime?.getTime()).toBe(START_MS);
      expect(spec?.renewTime?.getTime()).toBe(START_MS + 60_000);
      expect(spec?.leaseTransitions).toBe(0);
    });

    it("lets the follower take over once the leader stops renewing for a lease duration", async () => {
      const a = elector("steward-0");
      const b = elector("steward-1");
      await a.tryAcquireOrRenew();
      await b.tryAcquireOrRenew();
      clock.advance(15_000);
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
      clock.advance(1);
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "acquired", holder: "steward-1" });
      expect((await lease())?.spec).toMatchObject({ holderIdentity: "steward-1", leaseTransitions: 1 });
      expect((await lease())?.spec?.acquireTime?.getTime()).toBe(START_MS + 15_001);
      expect(await a.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-1" });
    });

    it("makes a newly started replica watch a stale Lease for a full duration before taking it", async () => {
      await elector("steward-0").tryAcquireOrRenew();
      clock.advance(3_600_000);
      const late = elector("steward-2");
      expect(await late.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
      clock.advance(15_001);
      expect(await late.tryAcquireOrRenew()).toEqual({ kind: "acquired", holder: "steward-2" });
    });

    it("does not let a follower whose clock runs 30 s ahead steal a Lease that is being renewed", async () => {
      const ahead = new ManualClock(START_MS + 30_000);
      const a = elector("steward-0");
      const b = elector("steward-1", ahead);
      await a.tryAcquireOrRenew();
      for (let i = 0; i < 20; i += 1) {
        expect(await b.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
        clock.advance(2_000);
        ahead.advance(2_000);
        await a.tryAcquireOrRenew();
      }
    });

    it("honours a renewTime ahead of the follower's clock even after watching the Lease a full duration", async () => {
      await kube.leases.create({
        metadata: { namespace: NS, name: NAME },
        spec: { holderIdentity: "steward-0", leaseDurationSeconds: 15, renewTime: new V1MicroTime(START_MS + 60_000) },
      });
      const b = elector("steward-1");
      await b.tryAcquireOrRenew();
      clock.advance(20_000);
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "following", holder: "steward-0" });
      clock.advance(60_000);
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "acquired", holder: "steward-1" });
    });

    it("releases the Lease so a successor takes it at once", async () => {
      const a = elector("steward-0");
      const b = elector("steward-1");
      await a.tryAcquireOrRenew();
      await b.tryAcquireOrRenew();
      expect(await a.release()).toBe(true);
      expect((await lease())?.spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1, leaseTransitions: 0 });
      expect(await b.tryAcquireOrRenew()).toEqual({ kind: "acquired", holder: "steward-1" });
      expect(await a.release()).toBe(false);
      expect((await lease())?.spec?.holderIdentity).toBe("steward-1");
    });

    it("reports a lost write race and an API error as steps, not exceptions", async () => {
      const a = elector("steward-0");
      await a.tryAcquireOrRenew();
      kube.store.failNext("replace", LEASES, new ConflictError("Conflict", "the object has been modified"));
      expect(await a.tryAcquireOrRenew()).toEqual({ kind: "lost-race" });
      kube.store.failNext("get", LEASES, new KubeApiError(503, "Unknown", "apiserver unavailable"));
      const step = await a.tryAcquireOrRenew();
      expect(step.kind).toBe("error");
      expect(step.kind === "error" && step.err.statusCode).toBe(503);
    });

    it.each([
      { over: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, field: "leaseDurationMs" },
      { over: { renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }, field: "renewDeadlineMs" },
      { over: { identity: "" }, field: "identity" },
    ])("refuses a configuration with a bad $field", ({ over, field }) => {
      let caught: unknown;
      try {
        elector("steward-0", clock, over);
      } catch (err) {
        caught = err;
      }
      expect(isStewardError(caught, "CONFIG_INVALID")).toBe(true);
      expect((caught as { field?: string }).field).toBe(field);
    });
  });

  describe("jitter", () => {
    it("spreads the waits of replicas that do not lead, not the leader's renewals", async () => {
      const draws = [0, 0.5, 0.999];
      const a = elector("steward-0", clock, { random: () => draws.shift() ?? 0.7 });
      expect(a.nextWaitMs()).toBe(a.retryPeriodMs);
      expect(a.nextWaitMs()).toBeCloseTo(a.retryPeriodMs * 1.6);
      expect(a.nextWaitMs()).toBeLessThan(a.retryPeriodMs * 2.2);
      const started: AbortSignal[] = [];
      const controller = new AbortController();
      // One step: acquire, then the wait asked for is the leader's exact renew period.
      const asked: number[] = [];
      const b = elector("steward-0", clock, { random: () => 0.7 }, async (ms) => {
        asked.push(ms);
        controller.abort();
      });
      await b.run({ onStartedLeading: (s) => void started.push(s), onStoppedLeading: () => undefined, signal: controller.signal });
      expect(started).toHaveLength(1);
      expect(asked).toEqual([b.retryPeriodMs]);
    });
  });

  describe("run", () => {
    /** A wait that moves the manual clock by the retry period and stops the loop after `steps` waits. */
    function scripted(steps: number, controller: AbortController, each: (step: number) => void = () => undefined): Wait {
      let n = 0;
      return async (ms) => {
        n += 1;
        clock.advance(ms);
        each(n);
        if (n >= steps) controller.abort();
      };
    }

    it("starts leading once, renews, and on abort releases the Lease and stops", async () => {
      const controller = new AbortController();
      const a = elector("steward-0", clock, {}, scripted(5, controller));
      const calls: string[] = [];
      let leadership: AbortSignal | undefined;
      await a.run({
        onStartedLeading: (signal) => {
          leadership = signal;
          calls.push("started");
        },
        onStoppedLeading: () => calls.push("stopped"),
        signal: controller.signal,
      });
      expect(calls).toEqual(["started", "stopped"]);
      expect(leadership?.aborted).toBe(true);
      expect(a.isLeader).toBe(false);
      expect((await lease())?.spec?.holderIdentity).toBe("");
    });

    it("keeps leading through failed renewals until the renew deadline, then steps down and comes back", async () => {
      const controller = new AbortController();
      const calls: Array<[string, number]> = [];
      // Acquire at t = 0; the steps at 2, 4, 6, 8 and 10 s fail; the one at 12 s succeeds; abort at 14 s.
      const outage = (step: number): void => {
        if (step !== 1) return;
        for (let i = 0; i < 5; i += 1) kube.store.failNext("get", LEASES, new KubeApiError(503, "Unknown", "apiserver unavailable"));
      };
      const a = elector("steward-0", clock, {}, scripted(7, controller, outage));
      await a.run({
        onStartedLeading: () => calls.push(["started", clock.nowMs() - START_MS]),
        onStoppedLeading: () => calls.push(["stopped", clock.nowMs() - START_MS]),
        signal: controller.signal,
      });
      expect(calls).toEqual([
        ["started", 0],
        ["stopped", 10_000],
        ["started", 12_000],
        ["stopped", 14_000],
      ]);
    });

    it("steps down when another replica holds the Lease", async () => {
      const controller = new AbortController();
      const calls: string[] = [];
      const takeOver = async (): Promise<void> => {
        const current = await lease();
        await kube.leases.replace({ ...current, spec: { ...current?.spec, holderIdentity: "steward-1", renewTime: new V1MicroTime(clock.nowMs()) } });
      };
      let pending: Promise<void> = Promise.resolve();
      const a = elector("steward-0", clock, {}, async (ms) => {
        await pending;
        clock.advance(ms);
        if (calls.length === 1) pending = takeOver();
        await pending;
        if (calls.length === 2) controller.abort();
      });
      await a.run({ onStartedLeading: () => calls.push("started"), onStoppedLeading: () => calls.push("stopped"), signal: controller.signal });
      expect(calls).toEqual(["started", "stopped"]);
      expect((await lease())?.spec?.holderIdentity).toBe("steward-1");
    });
  });

  it("unrefWait returns as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = unrefWait(60_000, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
    await expect(unrefWait(60_000, controller.signal)).resolves.toBeUndefined();
  });
});

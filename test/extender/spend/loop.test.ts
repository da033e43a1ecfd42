import { afterEach, describe, expect, it } from "vitest";
import { freshSpendState, planSpend, type SpendStep } from "../../../core/spend/index.js";
import { StewardError } from "../../../platform/errors.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";
import { FOLLOWER_REFRESH_MS, SpendLoop, SqliteSpendStates, type SpendCycle, type SpendRecord } from "../../../extender/spend/index.js";
import { FixedSpendSource, type SpendFigures } from "../../../extender/spend/sources/index.js";
import { BEHIND, HOUR_MS, JUNE_16_NOON_MS, SPEND_CONFIG, loopFixture, metricValue, type LoopFixture } from "./loopHarness.js";

const AHEAD: SpendFigures = { monthToDateUsd: 300_000, dailyRateUsd: 20_000 };
/** Month-to-date at the $490k target (budget $500k, margin 2 %). */
const AT_TARGET: SpendFigures = { monthToDateUsd: 490_000, dailyRateUsd: 20_000 };

const planned = (state: SpendStep["state"], nowMs: number, figures: SpendFigures) =>
  planSpend(state, { nowMs, ...figures, baselinePct: 35 }, SPEND_CONFIG);

function decided(cycle: SpendCycle): SpendRecord {
  if (cycle.kind !== "decided") throw new Error(`expected a decision, got ${cycle.kind}`);
  return cycle.record;
}

describe("spend loop", () => {
  let f: LoopFixture;
  afterEach(() => f.dispose());

  it("publishes nothing before its first decision", () => {
    f = loopFixture();
    expect(f.loop.routing()).toBeUndefined();
  });

  it("routes the share the PID decides, cycle after cycle, from the state it stored", async () => {
    f = loopFixture();
    const first = planned(freshSpendState(), JUNE_16_NOON_MS, BEHIND);
    decided(await f.loop.step());
    // Behind schedule: ideal 490k × 15.5/30 ≈ 253.2k vs 200k spent → error ≈ 10.85 %, P ≈ 21.7 over the 35 % baseline.
    expect(first.decision.routingPct).toBeCloseTo(56.70, 2);
    expect(f.loop.routing()).toEqual({ pool: "credits", routingPct: first.decision.routingPct, closed: false });

    f.clock.advance(HOUR_MS);
    f.source.set(AHEAD);
    const second = planned(first.state, JUNE_16_NOON_MS + HOUR_MS, AHEAD);
    const record = decided(await f.loop.step());
    expect(record.decision).toEqual(second.decision);
    expect(record.state).toEqual(second.state);
    // Ahead of schedule now: the pool's share drops below the baseline.
    expect(f.loop.routing()).toEqual({ pool: "credits", routingPct: second.decision.routingPct, closed: false });
    expect(second.decision.routingPct).toBeLessThan(35);
    expect(f.source.readsAtMs).toEqual([JUNE_16_NOON_MS, JUNE_16_NOON_MS + HOUR_MS]);
  });

  it("closes the pool at the target: no share, closed", async () => {
    f = loopFixture({ figures: AT_TARGET });
    const record = decided(await f.loop.step());
    expect(record.decision.reason).toBe("atTarget");
    expect(f.loop.routing()).toEqual({ pool: "credits", routingPct: 0, closed: true });
  });

  it("closes the pool when the rate would reach the target within the stop horizon", async () => {
    f = loopFixture({ figures: { monthToDateUsd: 489_500, dailyRateUsd: 24_000 } }); // $1k/h, $500 left
    expect(decided(await f.loop.step()).decision.reason).toBe("projectedAtTarget");
    expect(f.loop.routing()).toMatchObject({ routingPct: 0, closed: true });
  });

  it("keeps the last routing when the source fails, logs SPEND_SOURCE and counts it; the PID resumes as if the cycle never ran", async () => {
    f = loopFixture();
    const first = planned(freshSpendState(), JUNE_16_NOON_MS, BEHIND);
    await f.loop.step();
    const before = f.loop.routing();

    f.clock.advance(HOUR_MS / 2);
    f.source.fail(new StewardError("SPEND_SOURCE", "opencost: GET http://opencost:9003/allocation/compute: no answer within 10000 ms"));
    const cycle = await f.loop.step();

    expect(cycle).toMatchObject({ kind: "sourceFailed", error: { code: "SPEND_SOURCE" } });
    expect(f.loop.routing()).toEqual(before);
    expect(await metricValue(f.registry, "gpu_steward_spend_source_errors_total", { source: "fixed" })).toBe(1);
    expect(await metricValue(f.registry, "gpu_steward_spend_cycles_total", { result: "source-error" })).toBe(1);
    expect(f.logs.find((l) => l.code === "SPEND_SOURCE")).toMatchObject({ level: "warn", pool: "credits", source: "fixed", msg: "spend source failed; routing unchanged" });
    expect(f.loop.lastFailure).toMatchObject({ code: "SPEND_SOURCE", atMs: JUNE_16_NOON_MS + HOUR_MS / 2 });

    f.clock.advance(HOUR_MS / 2);
    f.source.fail(undefined);
    const record = decided(await f.loop.step());
    expect(record.decision).toEqual(planned(first.state, JUNE_16_NOON_MS + HOUR_MS, BEHIND).decision);
    expect(f.loop.lastFailure).toBeUndefined();
  });

  it("reports any other rejection of a source as SPEND_SOURCE naming the source", async () => {
    f = loopFixture();
    f.source.fail(new TypeError("socket hang up"));
    expect(await f.loop.step()).toMatchObject({ kind: "sourceFailed", error: { code: "SPEND_SOURCE", message: "fixed: socket hang up" } });
  });

  it("treats figures the control law refuses as the source's failure, naming the field", async () => {
    f = loopFixture({ figures: { monthToDateUsd: -1, dailyRateUsd: 0 } });
    const cycle = await f.loop.step();
    expect(cycle).toMatchObject({ kind: "sourceFailed", error: { code: "SPEND_SOURCE", field: "sample.monthToDateUsd" } });
    expect(f.loop.routing()).toBeUndefined();
  });

  it("publishes a decision only once it is saved", async () => {
    f = loopFixture();
    const store = openStore(":memory:", createLogger({ level: "silent" }));
    const states = new SqliteSpendStates(store.db);
    const loop = new SpendLoop(
      { pool: "credits", baselinePct: 35, spend: SPEND_CONFIG, periodMs: HOUR_MS },
      { source: new FixedSpendSource(BEHIND), states: { load: (p) => states.load(p), save: () => { throw new Error("SQLITE_FULL: database or disk is full"); } }, clock: f.clock, log: createLogger({ level: "silent" }) },
    );
    await expect(loop.step()).rejects.toThrow(/SQLITE_FULL/);
    expect(loop.routing()).toBeUndefined();
    store.close();
  });

  it("stops routing once the last decision is older than the stop horizon", async () => {
    f = loopFixture();
    await f.loop.step();
    f.source.fail(new StewardError("SPEND_SOURCE", "fixed: down"));
    f.clock.advance(SPEND_CONFIG.stopHorizonS * 1000);
    await f.loop.step();
    expect(f.loop.routing()).toBeDefined();
    f.clock.advance(1);
    expect(f.loop.routing()).toBeUndefined();
    expect(await metricValue(f.registry, "gpu_steward_spend_routing_percent", { pool: "credits" })).toBeUndefined();
  });

  it("keeps a closed pool closed until its billing month ends, however old the decision", async () => {
    f = loopFixture({ figures: AT_TARGET });
    await f.loop.step();
    f.clock.set(Date.UTC(2025, 5, 30, 23, 59, 59));
    expect(f.loop.routing()).toEqual({ pool: "credits", routingPct: 0, closed: true });
    f.clock.set(Date.UTC(2025, 6, 1));
    expect(f.loop.routing()).toBeUndefined();
  });

  it("exports the decision it routes by", async () => {
    f = loopFixture();
    const { decision } = decided(await f.loop.step());
    const value = (name: string, labels: Record<string, string> = { pool: "credits" }) => metricValue(f.registry, name, labels);
    expect(await value("gpu_steward_spend_routing_percent")).toBe(decision.routingPct);
    expect(await value("gpu_steward_spend_pool_closed")).toBe(0);
    expect(await value("gpu_steward_spend_month_to_date_usd")).toBe(200_000);
    expect(await value("gpu_steward_spend_daily_rate_usd")).toBe(15_000);
    expect(await value("gpu_steward_spend_target_usd")).toBe(490_000);
    expect(await value("gpu_steward_spend_ideal_usd")).toBe(decision.idealUsd);
    expect(await value("gpu_steward_spend_error_percent")).toBe(decision.errorPct);
    for (const term of ["p", "i", "d"] as const) {
      expect(await value("gpu_steward_spend_pid_component_percent", { pool: "credits", term })).toBeCloseTo(decision.components[term], 12);
    }
    expect(await value("gpu_steward_spend_last_success_timestamp_seconds", { source: "fixed" })).toBe(JUNE_16_NOON_MS / 1000);
    expect(await value("gpu_steward_spend_cycles_total", { result: "decided" })).toBe(1);
  });

  describe("run (leader only)", () => {
    it("cycles every period until leadership ends, leading meanwhile", async () => {
      const stop = new AbortController();
      let sleeps = 0;
      const leadingWhileSleeping: boolean[] = [];
      f = loopFixture({
        sleep: (clock) => async (ms) => {
          leadingWhileSleeping.push(f.loop.leading);
          clock.advance(ms);
          if (++sleeps === 3) stop.abort();
        },
      });
      await f.loop.run({ signal: stop.signal });
      expect(f.source.readsAtMs).toEqual([0, 1, 2].map((i) => JUNE_16_NOON_MS + i * HOUR_MS));
      expect(leadingWhileSleeping).toEqual([true, true, true]);
      expect(f.loop.leading).toBe(false);
      expect(await metricValue(f.registry, "gpu_steward_spend_cycles_total", { result: "decided" })).toBe(3);
    });

    it("goes on after a cycle that failed for a reason of its own, logging INTERNAL", async () => {
      const stop = new AbortController();
      f = loopFixture({ sleep: () => async () => stop.abort() });
      f.store.db.exec("DROP TABLE spend_state");
      await f.loop.run({ signal: stop.signal });
      expect(f.logs.filter((l) => l.code === "INTERNAL").map((l) => l.msg)).toContain("spend cycle failed");
      expect(await metricValue(f.registry, "gpu_steward_spend_cycles_total", { result: "failed" })).toBe(1);
    });

    it("does nothing when leadership has already ended", async () => {
      f = loopFixture();
      await f.loop.run({ signal: AbortSignal.abort() });
      expect(f.source.readsAtMs).toEqual([]);
    });
  });

  describe("followers", () => {
    it("serve the stored decision, re-read at most every FOLLOWER_REFRESH_MS", async () => {
      f = loopFixture();
      const follower = f.follower();
      expect(follower.routing()).toBeUndefined();
      await f.loop.step();
      f.clock.advance(FOLLOWER_REFRESH_MS);
      const first = f.loop.routing();
      expect(follower.routing()).toEqual(first);

      f.clock.advance(1_000);
      f.source.set(AHEAD);
      await f.loop.step();
      expect(f.loop.routing()).not.toEqual(first);
      expect(follower.routing()).toEqual(first);
      f.clock.advance(FOLLOWER_REFRESH_MS);
      expect(follower.routing()).toEqual(f.loop.routing());
      expect(follower.leading).toBe(false);
    });

    it("serve nothing when the stored decision is too old", async () => {
      f = loopFixture();
      await f.loop.step();
      f.clock.advance(SPEND_CONFIG.stopHorizonS * 1000 + 1);
      expect(f.follower().routing()).toBeUndefined();
    });

    it("serve nothing from an unreadable row and say why", async () => {
      f = loopFixture();
      await f.loop.step();
      f.store.db.prepare("UPDATE spend_state SET state_json = ?").run(JSON.stringify({ version: 1, month: null, pid: { integral: "x" } }));
      const follower = f.follower();
      expect(follower.routing()).toBeUndefined();
      expect(follower.lastFailure).toMatchObject({ code: "INTERNAL", message: expect.stringContaining("state.pid") });
    });
  });
});

import { describe, expect, it } from "vitest";
import {
  SEED_SPEND_CONFIG,
  dateToEpochMs,
  freshSpendState,
  planSpend,
  type SpendConfig,
  type SpendSample,
} from "../../../core/spend/index.js";
import { pidVectors, sameProcessSequence, type PidVector } from "./seedVectors.js";

function sampleOf(v: PidVector): SpendSample {
  const nowMs = dateToEpochMs("date", v.date);
  return { nowMs, monthToDateUsd: v.spend, dailyRateUsd: v.rate, baselinePct: v.rollout, cycleStartMs: nowMs - v.dt_s * 1000 };
}

// December is the one vector where the seed raised (§A.9.1); every other row must match bit for bit.
const answered = pidVectors.filter((v) => typeof v.result === "number");
const raised = pidVectors.filter((v) => typeof v.result === "string");

describe("seed vectors (§A.10) under SEED_SPEND_CONFIG", () => {
  it("has the fourteen answered rows and the December row", () => {
    expect(answered).toHaveLength(14);
    expect(raised.map((v) => v.date)).toEqual(["2025-12-10"]);
  });

  // Exact equality: the arithmetic runs in the seed's order, so even the 1e-16 integrals agree.
  it.each(answered)("$label: $date spend $spend rate $rate → $result", (v) => {
    const { decision, state } = planSpend(freshSpendState(v.integral_in ?? 0), sampleOf(v), SEED_SPEND_CONFIG);
    expect(decision.routingPct).toBe(v.result);
    const { p, i, d } = decision.components;
    expect([p, i, d]).toEqual(v.components);
    expect(Object.is(d, v.components?.[2])).toBe(true); // -0.0 stays -0.0
    expect(state.pid.integral).toBe(v.integral_out);
  });

  it("answers December (the seed raised ValueError) with a 31-day month", () => {
    const [v] = raised;
    if (v === undefined) throw new Error("no December row");
    const { decision } = planSpend(freshSpendState(), sampleOf(v), SEED_SPEND_CONFIG);
    expect(decision.daysInMonth).toBe(31);
    const errorPct = (((10 / 31) * 490_000 - 50_000) / 490_000) * 100;
    expect(decision.errorPct).toBe(errorPct);
    expect(decision.components.p).toBe(2 * errorPct);
    // P = 44.1 saturates at +40 on top of the rollout of 15.
    expect(decision.routingPct).toBe(55);
  });
});

describe("same-process sequence (§A.10): one PID stepped three times", () => {
  const persistentSeconds: SpendConfig = { ...SEED_SPEND_CONFIG, pidMode: "persistent" };
  const t0 = dateToEpochMs("date", "2025-06-16");
  const at = (nowMs: number, spend: number): SpendSample => ({ nowMs, monthToDateUsd: spend, dailyRateUsd: 15_000, baselinePct: 35 });

  it("answers, repeats the cached output within the sample time, then saturates after an hour", () => {
    const first = planSpend(freshSpendState(), at(t0, 200_000), persistentSeconds);
    const cached = planSpend(first.state, at(t0, 300_000), persistentSeconds);
    const hourLater = planSpend(cached.state, at(t0 + 3_600_000, 300_000), persistentSeconds);

    expect([first.decision.routingPct, cached.decision.routingPct, hourLater.decision.routingPct]).toEqual(
      sameProcessSequence.outputs,
    );
    // The cached call changed nothing, so the derivative spans calls 1 → 3.
    expect(cached.state.pid).toEqual(first.state.pid);
    const { p, i, d } = hourLater.decision.components;
    const [wantP, wantI, wantD] = sameProcessSequence.lastComponents;
    expect(p).toBe(wantP);
    expect(i).toBe(wantI);
    expect(Math.abs(d - wantD)).toBeLessThanOrEqual(1e-9 * Math.abs(wantD));
  });
});

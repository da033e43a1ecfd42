import { describe, expect, it } from "vitest";
import {
  DEFAULT_SPEND_CONFIG,
  SEED_SPEND_CONFIG,
  freshSpendState,
  fromSeedStateJson,
  parseSpendState,
  planSpend,
  toSeedStateJson,
  type SpendSample,
  type SpendState,
} from "../../../core/spend/index.js";

const HOUR_MS = 3_600_000;
const start = Date.parse("2025-06-03T00:00:00Z");
const samples: SpendSample[] = Array.from({ length: 48 }, (_, h) => ({
  nowMs: start + h * HOUR_MS,
  monthToDateUsd: 20_000 + h * 900,
  dailyRateUsd: 21_600,
  baselinePct: 35,
}));

describe("state survives a restart", () => {
  it("stored as JSON halfway through, the run continues exactly as without the restart", () => {
    const straight = samples.reduce<{ s: SpendState; out: number[] }>(
      ({ s, out }, x) => {
        const r = planSpend(s, x, DEFAULT_SPEND_CONFIG);
        return { s: r.state, out: [...out, r.decision.routingPct] };
      },
      { s: freshSpendState(), out: [] },
    );
    let s = freshSpendState();
    const out: number[] = [];
    samples.forEach((x, i) => {
      if (i === 24) s = parseSpendState(JSON.parse(JSON.stringify(s)));
      const r = planSpend(s, x, DEFAULT_SPEND_CONFIG);
      s = r.state;
      out.push(r.decision.routingPct);
    });
    expect(out).toEqual(straight.out);
    expect(s).toEqual(straight.s);
  });

  it("rejects stored garbage naming the field", () => {
    const good = JSON.parse(JSON.stringify(freshSpendState())) as Record<string, unknown>;
    expect(() => parseSpendState(null)).toThrow(expect.objectContaining({ field: "state" }));
    expect(() => parseSpendState({ ...good, month: "2025-13" })).toThrow(expect.objectContaining({ field: "state.month" }));
    expect(() => parseSpendState({ ...good, pid: "x" })).toThrow(expect.objectContaining({ field: "state.pid" }));
    const badIntegral = { ...good, pid: { ...(good.pid as object), integral: "1" } };
    expect(() => parseSpendState(badIntegral)).toThrow(expect.objectContaining({ field: "state.pid.integral" }));
  });
});

describe("the seed's pid_state.json (§A.5)", () => {
  const committed = {
    integral: 24.271872597683597,
    last_update: "2025-06-16T16:22:06.222492",
    components: [2.995319895824472, 24.271872597683597, -0.0],
  };

  it("loads only the integral, as the seed does", () => {
    const s = fromSeedStateJson(committed);
    expect(s).toEqual(freshSpendState(24.271872597683597));
    expect(s.pid.components.i).toBe(24.271872597683597);
  });

  it("writes the same shape back, last_update as a naive date-time with microseconds", () => {
    const { state } = planSpend(
      fromSeedStateJson(committed),
      { nowMs: Date.parse("2025-06-16T16:22:06.222Z"), monthToDateUsd: 200_000, dailyRateUsd: 15_000, baselinePct: 35 },
      SEED_SPEND_CONFIG,
    );
    const written = toSeedStateJson(state, Date.parse("2025-06-16T16:22:06.222Z"));
    expect(written.last_update).toBe("2025-06-16T16:22:06.222000");
    expect(written.integral).toBe(state.pid.integral);
    expect(written.components).toEqual([state.pid.components.p, state.pid.components.i, state.pid.components.d]);
    expect(fromSeedStateJson(JSON.parse(JSON.stringify(written))).pid.integral).toBe(written.integral);
  });

  it("rejects a file without a finite integral", () => {
    expect(() => fromSeedStateJson({ last_update: "x" })).toThrow(expect.objectContaining({ field: "integral" }));
    expect(() => fromSeedStateJson({ integral: "NaN" })).toThrow(expect.objectContaining({ field: "integral" }));
  });
});

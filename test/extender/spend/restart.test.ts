import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshSpendState, planSpend, type SpendDecision } from "../../../core/spend/index.js";
import type { SpendFigures } from "../../../extender/spend/sources/index.js";
import { BEHIND, HOUR_MS, JUNE_16_NOON_MS, SPEND_CONFIG, loopFixture, type LoopFixture } from "./loopHarness.js";

/** A day of hourly cycles, behind schedule, then catching up: enough for the integral to matter. */
const CYCLES: Array<{ atMs: number; figures: SpendFigures }> = Array.from({ length: 6 }, (_, i) => ({
  atMs: JUNE_16_NOON_MS + i * HOUR_MS,
  figures: { monthToDateUsd: BEHIND.monthToDateUsd + i * 2_500, dailyRateUsd: BEHIND.dailyRateUsd + i * 1_000 },
}));

async function runCycles(f: LoopFixture, cycles: typeof CYCLES): Promise<SpendDecision[]> {
  const decisions: SpendDecision[] = [];
  for (const { atMs, figures } of cycles) {
    f.clock.set(atMs);
    f.source.set(figures);
    const cycle = await f.loop.step();
    if (cycle.kind !== "decided") throw new Error(`cycle at ${atMs}: ${cycle.kind}`);
    decisions.push(cycle.record.decision);
  }
  return decisions;
}

describe("spend loop across a restart", () => {
  let dir: string;
  const open: LoopFixture[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-spend-"));
  });
  afterEach(() => {
    for (const f of open.splice(0)) f.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const fixture = (file: string) => {
    const f = loopFixture({ path: join(dir, file) });
    open.push(f);
    return f;
  };

  it("decides after a restart mid-month exactly as it would have without one", async () => {
    const uninterrupted = await runCycles(fixture("a.db"), CYCLES);

    const before = fixture("b.db");
    await runCycles(before, CYCLES.slice(0, 3));
    before.dispose();
    const after = fixture("b.db");
    const resumed = await runCycles(after, CYCLES.slice(3));

    expect(resumed).toEqual(uninterrupted.slice(3));
    // The state carried something: a controller starting fresh at cycle 3 would answer differently.
    const last = CYCLES[3]!;
    const fresh = planSpend(freshSpendState(), { nowMs: last.atMs, ...last.figures, baselinePct: 35 }, SPEND_CONFIG).decision;
    expect(uninterrupted[3]!.components.i).not.toBeCloseTo(0, 3);
    expect(fresh.routingPct).not.toBeCloseTo(uninterrupted[3]!.routingPct, 3);
  });

  it("serves the stored routing after a restart until the loop decides again", async () => {
    const before = fixture("c.db");
    await runCycles(before, CYCLES.slice(0, 1));
    const routing = before.loop.routing();
    before.dispose();

    const after = fixture("c.db");
    after.clock.set(CYCLES[0]!.atMs + HOUR_MS / 2);
    expect(after.loop.routing()).toEqual(routing);
    expect(after.loop.latest()).toMatchObject({ pool: "credits", source: "fixed", figures: CYCLES[0]!.figures, updatedMs: CYCLES[0]!.atMs });
  });
});

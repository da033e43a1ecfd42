import express from "express";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { StewardError } from "../../../platform/errors.js";
import { createSpendStatusApi, type SpendLoop } from "../../../extender/spend/index.js";
import { HOUR_MS, JUNE_16_NOON_MS, loopFixture, type LoopFixture } from "./loopHarness.js";

const appFor = (loop?: SpendLoop) => express().use(createSpendStatusApi(loop ? { loop } : {}));

describe("GET /v1/spend", () => {
  let f: LoopFixture | undefined;
  afterEach(() => f?.dispose());

  it("says routing is off when no spend source is configured", async () => {
    const res = await request(appFor()).get("/v1/spend").expect(200);
    expect(res.body).toEqual({
      enabled: false, pool: null, source: null, leader: false, routing: null, reason: null,
      pid: null, figures: null, decision: null, updatedAt: null, lastError: null,
    });
  });

  it("shows the routing in use, the decision behind it and its P/I/D parts", async () => {
    f = loopFixture();
    const cycle = await f.loop.step();
    if (cycle.kind !== "decided") throw new Error(cycle.kind);
    const { decision } = cycle.record;

    const res = await request(appFor(f.loop)).get("/v1/spend").expect(200).expect("content-type", /json/);

    expect(res.body).toEqual({
      enabled: true,
      pool: "credits",
      source: "fixed",
      leader: false,
      routing: { pool: "credits", routingPct: decision.routingPct, closed: false },
      reason: "controlled",
      // Through JSON, as the client sees it (a -0 D term reads back as 0).
      pid: JSON.parse(JSON.stringify(decision.components)),
      figures: { monthToDateUsd: 200_000, dailyRateUsd: 15_000 },
      decision: {
        routingPct: decision.routingPct,
        month: "2025-06",
        dayOfMonth: 16,
        daysInMonth: 30,
        targetUsd: 490_000,
        idealUsd: decision.idealUsd,
        errorPct: decision.errorPct,
        targetDailyUsd: decision.targetDailyUsd,
        basePct: 35,
        adjustmentPct: decision.adjustmentPct,
      },
      updatedAt: "2025-06-16T12:00:00.000Z",
      lastError: null,
    });
  });

  it("says leader while the loop runs", async () => {
    const stop = new AbortController();
    let seen: unknown;
    f = loopFixture({
      sleep: () => async () => {
        seen = (await request(appFor(f!.loop)).get("/v1/spend")).body;
        stop.abort();
      },
    });
    await f.loop.run({ signal: stop.signal });
    expect(seen).toMatchObject({ leader: true, routing: { pool: "credits" } });
  });

  it("shows a stored decision too old to route by, with routing null and the last error", async () => {
    f = loopFixture();
    await f.loop.step();
    f.source.fail(new StewardError("SPEND_SOURCE", "fixed: down"));
    f.clock.advance(2 * HOUR_MS);
    await f.loop.step();

    const res = await request(appFor(f.loop)).get("/v1/spend").expect(200);

    expect(res.body).toMatchObject({
      routing: null,
      reason: "controlled",
      updatedAt: new Date(JUNE_16_NOON_MS).toISOString(),
      lastError: { code: "SPEND_SOURCE", message: "fixed: down", at: new Date(JUNE_16_NOON_MS + 2 * HOUR_MS).toISOString() },
    });
  });
});

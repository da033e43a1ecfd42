/** ADO behind the fallback wrapper, against the fake server: the wiring the webhook runs. */
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AdoRecommender } from "../../../webhook/recommenders/ado.js";
import { FallbackRecommender } from "../../../webhook/recommenders/fallback.js";
import { EmbeddedRecommender } from "../../../webhook/recommenders/embedded.js";
import { systemClock } from "../../../platform/clock.js";
import type { SizingResult } from "../../../core/sizing/types.js";
import { closedPortUrl, startFakeAdo, type FakeAdo } from "./fakeAdo.js";
import { someInputs, someLimits } from "./builders.js";

const log = pino({ level: "silent" });
/** Stands in for the memory model so this test does not depend on its calibration. */
const modelAnswer: SizingResult = {
  ok: true,
  recommendation: { workers: 1, gpusPerWorker: 2, totalGpus: 2, perDeviceBatch: 8 },
  reason: "memory model",
};
const embedded = new EmbeddedRecommender({ recommend: () => modelAnswer });

const servers: FakeAdo[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("ADO with the embedded fallback", () => {
  it("ADO down ⇒ the embedded answer, with fallback naming ADO's failure", async () => {
    const primary = new AdoRecommender({ baseUrl: await closedPortUrl(), pollIntervalMs: 20, clock: systemClock, log });
    const wrapper = new FallbackRecommender({ primary, fallback: embedded, log });

    const answer = await wrapper.recommend(someInputs(), someLimits(), systemClock.nowMs() + 2000);

    expect(answer.recommender).toBe("embedded");
    expect(answer.result).toEqual(modelAnswer);
    expect(answer.fallback?.from).toBe("ado");
    expect(answer.fallback?.reason).toMatch(/^ADO autoconf: POST \/api\/latest\/.* failed after \d+ ms: .*ECONNREFUSED/);
  });

  it("ADO's can_recommend=0 ⇒ no-fit from ADO, no fallback", async () => {
    const server = await startFakeAdo({ answer: { can_recommend: 0 } });
    servers.push(server);
    const primary = new AdoRecommender({ baseUrl: server.url, pollIntervalMs: 20, clock: systemClock, log });
    const wrapper = new FallbackRecommender({ primary, fallback: embedded, log });

    const answer = await wrapper.recommend(someInputs(), someLimits(), systemClock.nowMs() + 2000);

    expect(answer).toEqual({
      result: { ok: false, code: "no-fit", reason: "ADO autoconf: no recommendation (can_recommend=0)" },
      recommender: "ado",
    });
  });
});

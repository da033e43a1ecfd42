import { describe, expect, it, vi } from "vitest";
import { FallbackRecommender } from "../../../webhook/recommenders/fallback.js";
import type { Recommender, RecommenderAnswer, RecommenderName } from "../../../webhook/recommenders/types.js";
import type { SizingFailure, SizingResult } from "../../../core/sizing/types.js";
import { someInputs, someLimits } from "./builders.js";

/** A recommender that always gives the same result and records the deadlines it was given. */
function fakeRecommender(name: RecommenderName, result: SizingResult) {
  const deadlines: number[] = [];
  const recommender: Recommender = {
    name,
    recommend: vi.fn(async (_inputs, _limits, deadlineMs: number): Promise<RecommenderAnswer> => {
      deadlines.push(deadlineMs);
      return { result, recommender: name };
    }),
  };
  return { recommender, deadlines };
}

const embeddedAnswer: SizingResult = {
  ok: true,
  recommendation: { workers: 1, gpusPerWorker: 4, totalGpus: 4, perDeviceBatch: 4 },
  reason: "embedded memory model: 4 GPUs",
};
const failure = (code: SizingFailure, reason = `ado says ${code}`): SizingResult => ({ ok: false, code, reason });

describe("FallbackRecommender", () => {
  it.each(["recommender-unavailable", "unknown-model", "unknown-gpu"] as const)(
    "primary %s ⇒ the fallback's answer, marked as a fallback from ado with the reason",
    async (code) => {
      const primary = fakeRecommender("ado", failure(code, "ADO autoconf: POST /x failed"));
      const fallback = fakeRecommender("embedded", embeddedAnswer);
      const wrapper = new FallbackRecommender({ primary: primary.recommender, fallback: fallback.recommender });

      const answer = await wrapper.recommend(someInputs(), someLimits(), 12_345);

      expect(answer).toEqual({
        result: embeddedAnswer,
        recommender: "embedded",
        fallback: { from: "ado", reason: "ADO autoconf: POST /x failed" },
      });
      expect(fallback.deadlines).toEqual([12_345]);
    },
  );

  it("primary no-fit is a real answer and is returned as is", async () => {
    const primary = fakeRecommender("ado", failure("no-fit", "ADO autoconf: no recommendation (can_recommend=0)"));
    const fallback = fakeRecommender("embedded", embeddedAnswer);
    const wrapper = new FallbackRecommender({ primary: primary.recommender, fallback: fallback.recommender });

    const answer = await wrapper.recommend(someInputs(), someLimits(), 1000);

    expect(answer).toEqual({
      result: { ok: false, code: "no-fit", reason: "ADO autoconf: no recommendation (can_recommend=0)" },
      recommender: "ado",
    });
    expect(fallback.recommender.recommend).not.toHaveBeenCalled();
  });

  it("primary success is returned as is", async () => {
    const adoAnswer: SizingResult = { ...embeddedAnswer, reason: "ado" };
    const primary = fakeRecommender("ado", adoAnswer);
    const fallback = fakeRecommender("embedded", embeddedAnswer);
    const wrapper = new FallbackRecommender({ primary: primary.recommender, fallback: fallback.recommender });

    expect(await wrapper.recommend(someInputs(), someLimits(), 1000)).toEqual({ result: adoAnswer, recommender: "ado" });
    expect(fallback.recommender.recommend).not.toHaveBeenCalled();
  });

  it("invalid inputs are not retried elsewhere", async () => {
    const primary = fakeRecommender("ado", failure("invalid-inputs"));
    const fallback = fakeRecommender("embedded", embeddedAnswer);
    const wrapper = new FallbackRecommender({ primary: primary.recommender, fallback: fallback.recommender });
    expect((await wrapper.recommend(someInputs(), someLimits(), 1000)).result).toMatchObject({ code: "invalid-inputs" });
  });

  it("a primary that throws counts as unavailable and falls back", async () => {
    const primary: Recommender = {
      name: "ado",
      recommend: () => Promise.reject(new Error("socket hang up")),
    };
    const fallback = fakeRecommender("embedded", embeddedAnswer);
    const wrapper = new FallbackRecommender({ primary, fallback: fallback.recommender });

    const answer = await wrapper.recommend(someInputs(), someLimits(), 1000);
    expect(answer.result).toEqual(embeddedAnswer);
    expect(answer.fallback).toEqual({ from: "ado", reason: "ado recommender threw: socket hang up" });
  });

  it("a failing fallback still reports both: its failure, and why the primary was left", async () => {
    const primary = fakeRecommender("ado", failure("recommender-unavailable", "ADO down"));
    const fallback = fakeRecommender("embedded", failure("unknown-model", "embedded: unknown model"));
    const wrapper = new FallbackRecommender({ primary: primary.recommender, fallback: fallback.recommender });

    expect(await wrapper.recommend(someInputs(), someLimits(), 1000)).toEqual({
      result: failure("unknown-model", "embedded: unknown model"),
      recommender: "embedded",
      fallback: { from: "ado", reason: "ADO down" },
    });
  });

  it("is named after its primary", () => {
    const wrapper = new FallbackRecommender({
      primary: fakeRecommender("ado", embeddedAnswer).recommender,
      fallback: fakeRecommender("embedded", embeddedAnswer).recommender,
    });
    expect(wrapper.name).toBe("ado");
  });
});

/**
 * EmbeddedRecommender over the real memory model (core/sizing/recommend.ts). The expected counts are
 * the spec's sanity checks (admission-autoconf.md §4.8), which the model is calibrated to reproduce.
 */
import { describe, expect, it } from "vitest";
import { EmbeddedRecommender } from "../../../webhook/recommenders/embedded.js";
import { someInputs, someLimits } from "./builders.js";

describe("EmbeddedRecommender", () => {
  const embedded = new EmbeddedRecommender();

  it("is named embedded and answers as embedded", async () => {
    const answer = await embedded.recommend(someInputs(), someLimits(), 0);
    expect(embedded.name).toBe("embedded");
    expect(answer.recommender).toBe("embedded");
    expect(answer.fallback).toBeUndefined();
  });

  it("llama-7b LoRA, 8192 tokens, global batch 16, A100-80GB, min-gpus ⇒ 2 GPUs keeping the global batch (§4.8)", async () => {
    const { result } = await embedded.recommend(someInputs(), someLimits({ policy: "min-gpus" }), 0);
    expect(result).toMatchObject({
      ok: true,
      recommendation: { workers: 1, gpusPerWorker: 2, totalGpus: 2, perDeviceBatch: 8 },
    });
  });

  it("answers consistently: totalGpus = workers × gpusPerWorker within the limits", async () => {
    const limits = someLimits({ maxGpus: 16, gpusPerNode: 4 });
    const { result } = await embedded.recommend(someInputs({ modelName: "llama-13b", method: "full", tokensPerSample: 4096, perDeviceBatch: 16, requestedGpus: 8, globalBatch: 128 }), limits, 0);
    if (result.ok) {
      const r = result.recommendation;
      expect(r.totalGpus).toBe(r.workers * r.gpusPerWorker);
      expect(r.totalGpus).toBeLessThanOrEqual(16);
      expect(r.gpusPerWorker).toBeLessThanOrEqual(4);
    } else {
      expect(result.code).toBe("no-fit");
    }
  });

  it("an unknown model is refused, not guessed", async () => {
    const { result } = await embedded.recommend(someInputs({ modelName: "no-such-model-xyz" }), someLimits(), 0);
    expect(result).toMatchObject({ ok: false, code: "unknown-model" });
  });

  it("a model that throws yields recommender-unavailable, never a rejection", async () => {
    const broken = new EmbeddedRecommender({
      recommend: () => {
        throw new Error("table missing");
      },
    });
    const { result } = await broken.recommend(someInputs(), someLimits(), 0);
    expect(result).toEqual({
      ok: false,
      code: "recommender-unavailable",
      reason: "embedded memory model failed: table missing",
    });
  });
});

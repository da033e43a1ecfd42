import { describe, expect, it } from "vitest";
import {
  DEFAULT_SCORING_CONFIG,
  ScoringInputError,
  ScoringModel,
  isScoringInputError,
  resolveScoringConfig,
} from "../../../core/scoring/index.js";

/** Runs `call` and returns the ScoringInputError it throws (fails the test otherwise). */
function rejection(call: () => unknown): ScoringInputError {
  try {
    call();
  } catch (err) {
    expect(isScoringInputError(err)).toBe(true);
    return err as ScoringInputError;
  }
  return expect.fail("expected a ScoringInputError");
}

describe("score() input checks", () => {
  const m = new ScoringModel();
  it.each<[string, unknown, string]>([
    ["no candidates", { jobType: "j", candidateGpuTypes: [] }, "candidateGpuTypes"],
    ["candidates that are not a list", { jobType: "j", candidateGpuTypes: "A100" }, "candidateGpuTypes"],
    ["an empty candidate name", { jobType: "j", candidateGpuTypes: ["A100", ""] }, "candidateGpuTypes[1]"],
    ["a missing job type", { candidateGpuTypes: ["A100"] }, "jobType"],
    ["a co-located entry that is not a string", { jobType: "j", candidateGpuTypes: ["A100"], colocatedJobTypes: [3] }, "colocatedJobTypes[0]"],
  ])("rejects %s", (_name, request, field) => {
    const err = rejection(() => m.score(request as never));
    expect(err.field).toBe(field);
    expect(err.code).toBe("SCORING_INPUT_INVALID");
    expect(err.message).toContain(field);
  });

  it("a rejected request is not counted as a decision", () => {
    const fresh = new ScoringModel();
    rejection(() => fresh.score({ jobType: "j", candidateGpuTypes: [] }));
    expect(fresh.metrics().decisionsTotal).toBe(0);
  });
});

describe("observe() input checks", () => {
  const ok = { jobType: "j", gpuType: "A100", runtimeS: 5 };
  it.each<[string, unknown, number, string]>([
    ["a NaN runtime", { ...ok, runtimeS: Number.NaN }, 0, "runtimeS"],
    ["a negative runtime", { ...ok, runtimeS: -1 }, 0, "runtimeS"],
    ["an infinite runtime", { ...ok, runtimeS: Infinity }, 0, "runtimeS"],
    ["a runtime beyond MAX_RUNTIME_S", { ...ok, runtimeS: 1e12 }, 0, "runtimeS"],
    ["a runtime given as text", { ...ok, runtimeS: "5" }, 0, "runtimeS"],
    ["an empty GPU type", { ...ok, gpuType: "" }, 0, "gpuType"],
    ["a non-finite time", ok, Number.NaN, "nowMs"],
  ])("rejects %s and learns nothing", (_name, observation, nowMs, field) => {
    const m = new ScoringModel();
    expect(rejection(() => m.observe(observation as never, nowMs)).field).toBe(field);
    expect(m.snapshot().stats).toEqual([]);
  });
});

describe("config", () => {
  it("defaults to the seed agent's own settings", () => {
    expect(DEFAULT_SCORING_CONFIG).toEqual({
      lambdaUncertainty: 0.3,
      betaExploration: 0.7,
      gammaInterference: 0.5,
      tauSquared: 0.15,
      explorationCap: 0.25,
      enableInterference: true,
      enableSinkhorn: false,
      retentionPairs: 1000,
    });
    expect(Object.isFrozen(new ScoringModel().config)).toBe(true);
  });

  it.each<[string, object, string]>([
    ["τ² of 0 (IG would divide by zero)", { tauSquared: 0 }, "config.tauSquared"],
    ["a negative cap", { explorationCap: -0.1 }, "config.explorationCap"],
    ["a fractional retention", { retentionPairs: 2.5 }, "config.retentionPairs"],
    ["a text weight", { lambdaUncertainty: "0.3" }, "config.lambdaUncertainty"],
  ])("rejects %s, naming the field", (_name, input, field) => {
    expect(rejection(() => resolveScoringConfig(input as never)).field).toBe(field);
    expect(rejection(() => new ScoringModel(input as never)).field).toBe(field);
  });
});

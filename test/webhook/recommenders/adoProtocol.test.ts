import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ADO_MODEL_NAMES,
  AdoProtocolError,
  adoExperimentFor,
  adoPropertiesFor,
  buildAdoRequestBody,
  parseAdoResult,
  parseAdoSubmitResponse,
  toAdoGpuModel,
  type AdoExperiment,
} from "../../../webhook/recommenders/adoProtocol.js";
import { adoResultBody } from "./fakeAdo.js";
import { someInputs, someLimits } from "./builders.js";

describe("buildAdoRequestBody", () => {
  it("types strings as STRING_VALUE_TYPE and numbers as NUMERIC_VALUE_TYPE, in the given order", () => {
    const body = buildAdoRequestBody("min_gpu_recommender", {
      model_name: "llama-7b",
      method: "full",
      gpu_model: "L40S",
      tokens_per_sample: 2048,
      batch_size: 32,
      model_version: "3.1.0",
    });
    expect(body).toEqual([
      {
        constitutive_property_values: [
          { valueType: "STRING_VALUE_TYPE", value: "llama-7b", property: { identifier: "model_name" } },
          { valueType: "STRING_VALUE_TYPE", value: "full", property: { identifier: "method" } },
          { valueType: "STRING_VALUE_TYPE", value: "L40S", property: { identifier: "gpu_model" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 2048, property: { identifier: "tokens_per_sample" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 32, property: { identifier: "batch_size" } },
          { valueType: "STRING_VALUE_TYPE", value: "3.1.0", property: { identifier: "model_version" } },
        ],
      },
    ]);
  });

  it.each([
    ["a missing required property", "min_gpu_recommender", { model_name: "llama-7b" }, "method"],
    ["a property of the other experiment", "min_gpu_recommender", { ...minGpu(), number_gpus: 2 }, "number_gpus"],
    ["a number where a string belongs", "min_gpu_recommender", { ...minGpu(), model_name: 7 }, "model_name"],
    ["a fractional count", "avoid_oom_recommender", { ...avoidOom(), number_gpus: 1.5 }, "number_gpus"],
    ["a zero batch", "avoid_oom_recommender", { ...avoidOom(), per_device_train_batch_size: 0 }, "per_device_train_batch_size"],
    ["a string where a number belongs", "min_gpu_recommender", { ...minGpu(), batch_size: "16" }, "batch_size"],
  ] as const)("rejects %s, naming the property", (_name, experiment, properties, property) => {
    try {
      buildAdoRequestBody(experiment, properties);
      expect.unreachable("should have thrown");
    } catch (err) {
      expect(err).toBeInstanceOf(AdoProtocolError);
      expect((err as AdoProtocolError).property).toBe(property);
      expect((err as Error).message).toContain(property);
    }
  });

  it("property: any valid job yields one entity whose values survive JSON with their types", () => {
    const inputsArb = fc.record({
      modelName: fc.constantFrom(...ADO_MODEL_NAMES),
      method: fc.constantFrom("full" as const, "lora" as const),
      tokensPerSample: fc.integer({ min: 1, max: 131072 }),
      perDeviceBatch: fc.integer({ min: 1, max: 256 }),
      requestedGpus: fc.integer({ min: 1, max: 64 }),
    });
    const limitsArb = fc.record({
      policy: fc.constantFrom("min-gpus" as const, "avoid-oom" as const),
      maxGpus: fc.integer({ min: 1, max: 512 }),
      gpusPerNode: fc.integer({ min: 1, max: 16 }),
    });
    fc.assert(
      fc.property(inputsArb, limitsArb, (partial, limits) => {
        const inputs = someInputs({ ...partial, globalBatch: partial.perDeviceBatch * partial.requestedGpus });
        const experiment = adoExperimentFor(limits);
        const body = buildAdoRequestBody(experiment, adoPropertiesFor(experiment, inputs, limits, "3.1.0"));
        const wire = JSON.parse(JSON.stringify(body)) as typeof body;
        expect(wire).toEqual(body);
        expect(wire).toHaveLength(1);
        const values = wire[0]!.constitutive_property_values;
        const ids = values.map((v) => v.property.identifier);
        expect(new Set(ids).size).toBe(ids.length);
        for (const v of values) {
          expect(typeof v.value).toBe(v.valueType === "NUMERIC_VALUE_TYPE" ? "number" : "string");
        }
      }),
    );
  });
});

function minGpu(): Record<string, string | number> {
  return adoPropertiesFor("min_gpu_recommender", someInputs(), someLimits(), "3.1.0");
}
function avoidOom(): Record<string, string | number> {
  return adoPropertiesFor("avoid_oom_recommender", someInputs(), someLimits({ policy: "avoid-oom" }), "3.1.0");
}

describe("adoExperimentFor", () => {
  it.each([
    [{ policy: "min-gpus" }, "min_gpu_recommender"],
    [{ policy: "avoid-oom" }, "avoid_oom_recommender"],
    [{ policy: "min-gpus", perDeviceBatchRewritable: true }, "min_gpu_recommender"],
    [{ policy: "min-gpus", perDeviceBatchRewritable: false }, "avoid_oom_recommender"],
  ] as const)("%o ⇒ %s", (limits, experiment: AdoExperiment) => {
    expect(adoExperimentFor(limits)).toBe(experiment);
  });
});

describe("toAdoGpuModel", () => {
  it.each([
    ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-SXM4-80GB"],
    ["NVIDIA A100-SXM4-80GB", "NVIDIA-A100-SXM4-80GB"],
    ["NVIDIA-L40S", "L40S"],
    ["L40S", "L40S"],
    ["NVIDIA-H100-PCIe", "NVIDIA-H100-PCIe"],
    ["NVIDIA-H100-80GB-HBM3", undefined],
    ["Tesla-V100-SXM2-32GB", undefined],
  ])("%s ⇒ %s", (label, want) => {
    expect(toAdoGpuModel(label)).toBe(want);
  });
});

describe("parseAdoSubmitResponse", () => {
  it("takes the one request id", () => {
    expect(parseAdoSubmitResponse(["4f2c"])).toEqual({ ok: true, value: "4f2c" });
  });

  it.each([
    [{ id: "x" }, "$: expected a JSON array with one request id, got object"],
    [[], "$: expected exactly one request id, got 0"],
    [["a", "b"], "$: expected exactly one request id, got 2"],
    [[42], "$[0]: expected a non-empty request-id string, got number"],
    [[""], "$[0]: expected a non-empty request-id string"],
    [null, "$: expected a JSON array with one request id, got null"],
  ])("%j ⇒ error %s", (json, error) => {
    const parsed = parseAdoSubmitResponse(json);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(error);
  });
});

describe("parseAdoResult", () => {
  const result = (outputs: Record<string, unknown>) => JSON.parse(adoResultBody(outputs)) as unknown;

  it("reads can_recommend, gpus and workers by targetProperty.identifier", () => {
    expect(parseAdoResult(result({ can_recommend: 1, gpus: 4, workers: 2 }))).toEqual({
      ok: true,
      value: { canRecommend: true, gpus: 4, workers: 2 },
    });
  });

  it("falls back to property.identifier", () => {
    const json = {
      entities: [
        {
          measurement_results: [
            {
              measurements: [
                { value: 1, property: { identifier: "can_recommend" } },
                { value: 8, property: { identifier: "gpus" } },
                { value: 1, property: { identifier: "workers" } },
              ],
            },
          ],
        },
      ],
    };
    expect(parseAdoResult(json)).toEqual({ ok: true, value: { canRecommend: true, gpus: 8, workers: 1 } });
  });

  it("accepts Python booleans and numeric strings, and ignores other outputs", () => {
    expect(parseAdoResult(result({ can_recommend: true, gpus: "2", workers: 1, estimated_throughput: 1234.5 }))).toEqual({
      ok: true,
      value: { canRecommend: true, gpus: 2, workers: 1 },
    });
  });

  it.each([
    [{ can_recommend: 0, gpus: -1, workers: -1 }, { canRecommend: false, gpus: -1, workers: -1 }],
    [{ can_recommend: false }, { canRecommend: false }],
    [{ can_recommend: 2, gpus: 1, workers: 1 }, { canRecommend: false, gpus: 1, workers: 1 }],
  ])("can_recommend other than 1 is no recommendation: %j", (outputs, want) => {
    expect(parseAdoResult(result(outputs))).toEqual({ ok: true, value: want });
  });

  it.each([
    ["no entities", {}, "$.entities: "],
    ["two entities", { entities: [{ measurement_results: [] }, { measurement_results: [] }] }, "$.entities: expected exactly one entity, got 2"],
    ["measurement_results not an array", { entities: [{ measurement_results: {} }] }, "$.entities[0].measurement_results: "],
    ["no can_recommend", result({ gpus: 1, workers: 1 }), "$.entities[0].measurement_results: no can_recommend measurement"],
    ["can_recommend=1 without gpus", result({ can_recommend: 1, workers: 1 }), "can_recommend=1 but no gpus measurement"],
    ["gpus zero", result({ can_recommend: 1, gpus: 0, workers: 1 }), "$.entities[0].measurement_results[0].measurements[1].value: expected gpus to be an integer ≥ 1, got 0"],
    ["workers fractional", result({ can_recommend: 1, gpus: 2, workers: 1.5 }), "measurements[2].value: expected workers to be an integer ≥ 1"],
    ["can_recommend an object", result({ can_recommend: { x: 1 } }), "measurements[0].value: expected a number for can_recommend, got object"],
    [
      "a measurement without identifier",
      { entities: [{ measurement_results: [{ measurements: [{ value: 1, property: {} }] }] }] },
      "$.entities[0].measurement_results[0].measurements[0].property: no targetProperty.identifier or identifier",
    ],
  ])("%s ⇒ error naming the JSON path", (_name, json, error) => {
    const parsed = parseAdoResult(json);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(error);
  });

  it("an invalid measurement's reason is carried into the error", () => {
    const json = { entities: [{ measurement_results: [{ reason: "could not load AutoGluon model 9.9.9" }] }] };
    const parsed = parseAdoResult(json);
    expect(!parsed.ok && parsed.error).toContain("could not load AutoGluon model 9.9.9");
  });
});

/**
 * Spec §7.5: the documents decode as the original's Go decoder accepts them (case-insensitive
 * keys, zero for missing or null, integers only in integer fields, float32 elsewhere, the
 * system-data form), and a bad document gets an error naming the file and the field.
 */
import { describe, expect, it } from "vitest";
import { decodeSystemDocument, decodeSystemDocuments, optimize, type DecodeResult, type SystemSpec } from "../../../core/inference/index.js";
import { documentTexts, fixtureText, loadSystem } from "./inferenceFixtures.js";

function decoded(result: DecodeResult): SystemSpec {
  if (!result.ok) throw new Error(result.error.message);
  return result.system;
}

function withDocument(name: string, body: unknown): Record<string, string> {
  return { ...documentTexts("sample-data/v0.7.0/small"), [name]: JSON.stringify(body) };
}

describe("input decoding", () => {
  it("matches keys without regard to case (AvgInTokens and avgInTokens both occur in small-options)", () => {
    const servers = loadSystem("cases/small-options").serverData.servers;
    const batch = servers.find((s) => s.name === "Batch2K-llama_13b")!;
    const premium = servers.find((s) => s.name === "Premium-llama_13b")!;

    expect(batch.currentAlloc.load).toMatchObject({ arrivalRate: 240, avgInTokens: 2000, avgOutTokens: 500 });
    expect(premium.currentAlloc.load).toMatchObject({ arrivalRate: 60, avgInTokens: 128, avgOutTokens: 1024 });
  });

  it("reads the sample's `milpsolver` spelling and any other casing of a key", () => {
    expect(loadSystem("sample-data/v0.7.0/small").optimizerData.optimizer).toEqual({
      unlimited: false,
      heterogeneous: false,
      milpSolver: false,
      useCplex: false,
      delayedBestEffort: false,
      saturationPolicy: "RoundRobin",
    });
    const shouted = decoded(decodeSystemDocuments(withDocument("optimizer-data.json", { OPTIMIZER: { MILPSOLVER: true, Unlimited: true } })));
    expect(shouted.optimizerData.optimizer).toMatchObject({ milpSolver: true, unlimited: true, saturationPolicy: "" });
  });

  it("serves a server with an empty class as class Free", () => {
    const system = loadSystem("cases/small-options");
    const free = system.serverData.servers.find((s) => s.name === "Free-mixtral_8_7b")!;
    expect(free.class).toBe("");

    const asFree = structuredClone(system);
    asFree.serverData.servers.find((s) => s.name === "Free-mixtral_8_7b")!.class = "Free";
    expect(optimize(system).allocations["Free-mixtral_8_7b"]).toEqual(optimize(asFree).allocations["Free-mixtral_8_7b"]);
  });

  it("reads the system-data document form like the six files (apart from its saturationPolicy)", () => {
    const fromSystem = decoded(decodeSystemDocument("system-data.json", fixtureText("sample-data/v0.7.0/small/system-data.json")));
    const fromFiles = loadSystem("sample-data/v0.7.0/small");

    expect(fromSystem.optimizerData.optimizer.saturationPolicy).toBe("PriorityRoundRobin");
    expect({ ...fromSystem, optimizerData: undefined }).toEqual({ ...fromFiles, optimizerData: undefined });
  });

  it("gives zero, empty or false for missing and null fields and ignores unknown keys", () => {
    const system = decoded(decodeSystemDocuments(withDocument("server-data.json", { servers: [{ name: "s", model: null, extra: { deep: 1 }, currentAlloc: null }] })));

    expect(system.serverData.servers[0]).toEqual({
      name: "s",
      class: "",
      model: "",
      keepAccelerator: false,
      minNumReplicas: 0,
      maxBatchSize: 0,
      maxQueueSize: 0,
      currentAlloc: { accelerator: "", numReplicas: 0, maxBatch: 0, cost: 0, itlAverage: 0, ttftAverage: 0, load: { arrivalRate: 0, throughput: 0, avgInTokens: 0, avgOutTokens: 0 } },
      desiredAlloc: { accelerator: "", numReplicas: 0, maxBatch: 0, cost: 0, itlAverage: 0, ttftAverage: 0, load: { arrivalRate: 0, throughput: 0, avgInTokens: 0, avgOutTokens: 0 } },
    });
  });

  it("parses non-integer numbers to float32", () => {
    const system = decoded(decodeSystemDocuments(withDocument("accelerator-data.json", { accelerators: [{ name: "X", cost: 0.1 }] })));
    expect(system.acceleratorData.accelerators[0]!.cost).toBe(Math.fround(0.1));
  });

  it.each([
    ["server-data.json", { servers: [{ name: "a", minNumReplicas: 2.5 }] }, "server-data.json: servers[0].minNumReplicas: expected an integer, got 2.5"],
    ["model-data.json", { models: [{ name: "m", perfParms: { alpha: "fast" } }] }, 'model-data.json: models[0].perfParms.alpha: expected a number, got "fast"'],
    ["capacity-data.json", { count: { type: "A100" } }, 'capacity-data.json: count: expected a list, got {"type":"A100"}'],
    ["serviceclass-data.json", { serviceClasses: [{ name: "P", modelTargets: [{ model: "m", "SLO-ITL": true }] }] }, "serviceclass-data.json: serviceClasses[0].modelTargets[0].slo-itl: expected a number, got true"],
    ["optimizer-data.json", [], "optimizer-data.json: expected a JSON object, got []"],
  ])("rejects a bad %s naming the field", (file, body, message) => {
    const result = decodeSystemDocuments(withDocument(file, body));
    expect(result.ok ? "" : result.error.message).toBe(message);
  });

  it("rejects text that is not JSON and a missing document", () => {
    const broken = decodeSystemDocuments({ ...documentTexts("sample-data/v0.7.0/small"), "capacity-data.json": "{ count: [" });
    expect(broken.ok ? undefined : broken.error).toMatchObject({ file: "capacity-data.json", field: "" });
    expect(broken.ok ? "" : broken.error.message).toMatch(/^capacity-data\.json: invalid JSON: /);

    const { ["model-data.json"]: _omitted, ...five } = documentTexts("sample-data/v0.7.0/small");
    const missing = decodeSystemDocuments(five);
    expect(missing.ok ? "" : missing.error.message).toBe("model-data.json: missing document");
  });

  it("names the path inside a system-data document", () => {
    const result = decodeSystemDocument("sys.json", JSON.stringify({ System: { ServerData: { servers: [{ currentAlloc: { numReplicas: 0.5 } }] } } }));
    expect(result.ok ? "" : result.error.message).toBe("sys.json: system.serverData.servers[0].currentAlloc.numReplicas: expected an integer, got 0.5");
  });
});

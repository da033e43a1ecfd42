import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { autoscalerOnceOptions, runAutoscalerOnce, type AutoscalerOnceReport } from "../../cmd/autoscalerOnce.js";
import { isStewardError } from "../../platform/errors.js";
import { expectedCase, FIXTURES } from "../core/inference/inferenceFixtures.js";
import { captured } from "../builders/capturedOutput.js";


/** fs.readFileSync with the directory error the command relies on. */
const readFixture = (path: string) => readFileSync(path, "utf8");

async function run(flags: Record<string, string | boolean>, readFile = readFixture): Promise<{ code: number; report: AutoscalerOnceReport & { inputError?: { file: string; field: string; message: string } } }> {
  const out = captured();
  const code = await runAutoscalerOnce({ once: true, ...flags }, out, readFile);
  const text = out.text();
  expect(text.endsWith("}\n")).toBe(true);
  return { code, report: JSON.parse(text) };
}

const SMALL = join(FIXTURES, "sample-data/v0.7.0/small");

describe("steward autoscaler --once", () => {
  it("prints the plan of a data directory with float32 figures in shortest form and exits 0", async () => {
    const { code, report } = await run({ "data-path": SMALL });
    const expected = expectedCase("v078", "small");

    expect(code).toBe(0);
    expect(report.error).toBe("");
    expect(report.allocations).toEqual(expected.solution!.allocations);
    expect(report.totalCost).toBe(expected.totalCost);
    expect(report.unitsByType).toEqual(expected.unitsByType);
    expect(new Set(Object.values(report.status))).toEqual(new Set(["allocated"]));
  });

  it("reads the single system-data document form (its saturationPolicy is PriorityRoundRobin)", async () => {
    const { code, report } = await run({ "data-path": join(SMALL, "system-data.json") });

    expect(code).toBe(0);
    expect(Object.keys(report.allocations)).toHaveLength(15);
  });

  it("selects the legacy profile: the committed solution's accelerators, replicas and costs", async () => {
    const { code, report } = await run({ "data-path": SMALL, profile: "legacy-v070" });
    const committed = JSON.parse(readFileSync(join(SMALL, "solution-data.json"), "utf8")) as AutoscalerOnceReport;

    expect(code).toBe(0);
    expect(report.profile).toBe("legacy-v070");
    for (const [server, want] of Object.entries(committed.allocations)) {
      const got = report.allocations[server]!;
      expect([got.accelerator, got.numReplicas, got.maxBatch, got.cost, got.load]).toEqual([want.accelerator, want.numReplicas, want.maxBatch, want.cost, want.load]);
    }
  });

  it("exits 3 with the original's error text, a partial plan and per-server status when capacity runs out", async () => {
    const { code, report } = await run({ "data-path": join(FIXTURES, "cases/small-tight-None") });
    const expected = expectedCase("v078", "small-tight-None");

    expect(code).toBe(3);
    expect(report.error).toBe(expected.error);
    expect(report.allocations).toEqual(expected.partialAllocations!.allocations);
    expect(Object.entries(report.status).filter(([, s]) => s !== "allocated")).toEqual([
      ["Bronze-llama_70b", "saturated"],
      ["Free-granite_34b", "saturated"],
      ["Free-llama_70b", "saturated"],
      ["Free-mixtral_8_7b", "saturated"],
    ]);
  });

  it("marks servers of unknown classes or models infeasible and the idle server allocated (scaled to zero)", async () => {
    const { code, report } = await run({ "data-path": join(FIXTURES, "cases/small-zeroload") });

    expect(code).toBe(3);
    expect(report.status["Gold-llama_13b"]).toBe("infeasible");
    expect(report.status["Premium-falcon_40b"]).toBe("infeasible");
    expect(report.status["Free-llama_13b-idle"]).toBe("allocated");
    expect(report.allocations["Free-llama_13b-idle"]).toBeUndefined();
  });

  it("exits 2 and names the file and the field for a bad document", async () => {
    const readFile = (path: string) => {
      if (path.endsWith("server-data.json")) return JSON.stringify({ servers: [{ name: "a", currentAlloc: { load: { AvgInTokens: 1.5 } } }] });
      return readFixture(path);
    };
    const { code, report } = await run({ "data-path": SMALL }, readFile);

    expect(code).toBe(2);
    expect(report.inputError).toEqual({
      file: "server-data.json",
      field: "servers[0].currentAlloc.load.avgInTokens",
      message: "server-data.json: servers[0].currentAlloc.load.avgInTokens: expected an integer, got 1.5",
    });
  });

  it("exits 2 for a missing data path", async () => {
    const { code, report } = await run({ "data-path": join(FIXTURES, "no-such-dir") });

    expect(code).toBe(2);
    expect(report.inputError?.message).toMatch(/no-such-dir: no such file$/);
  });

  it.each([
    [{}, "data-path"],
    [{ "data-path": SMALL, profile: "v079" }, "profile"],
    [{ "data-path": SMALL, output: "yaml" }, "output"],
  ])("rejects bad flags %j naming --%s", async (flags, field) => {
    const error = await runAutoscalerOnce({ once: true, ...flags }, captured(), readFixture).catch((err: unknown) => err);
    expect(isStewardError(error, "USAGE") && error.field).toBe(field);
  });

  it("requires --once", async () => {
    const error = await runAutoscalerOnce({ "data-path": SMALL }, captured(), readFixture).catch((err: unknown) => err);
    expect(isStewardError(error, "USAGE") && error.field).toBe("once");
  });

  it("declares its flags for main.ts", () => {
    expect(autoscalerOnceOptions.map((o) => o.flag)).toEqual(["once", "data-path", "profile", "output"]);
  });
});

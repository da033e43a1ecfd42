import { describe, it, expect } from "vitest";
import { AUTOCONF_MODEL_NAMES, modelArchitecture, modelParameters, parameterCount } from "../../../core/sizing/index.js";

/** admission-autoconf.md §1.2: the closed model_name domain of autoconf. */
const AUTOCONF_DOMAIN = [
  "allam-1-13b", "granite-13b-v2", "granite-20b-v2", "granite-3-8b", "granite-3.1-2b", "granite-3.1-3b-a800m-instruct",
  "granite-3.1-8b-instruct", "granite-34b-code-base", "granite-3b-code-base-128k", "granite-4.0-1b", "granite-4.0-350m",
  "granite-4.0-h-1b", "granite-4.0-h-micro", "granite-4.0-h-small", "granite-4.0-h-tiny", "granite-4.0-micro",
  "granite-7b-base", "granite-8b-code-base", "granite-8b-japanese", "llama-13b", "llama-7b", "llama2-70b", "llama3-70b",
  "llama3-8b", "llama3.1-405b", "llama3.1-70b", "llama3.1-8b", "mistral-123b-v2", "mistral-7b-v0.1", "mixtral-8x7b-instruct-v0.1",
];

/** §4.9 published totals (billions) for the models whose architecture is public. */
const PUBLIC_TOTALS: Array<{ name: string; billions: number }> = [
  { name: "llama-7b", billions: 6.74 },
  { name: "llama-13b", billions: 13.02 },
  { name: "llama2-70b", billions: 68.98 },
  { name: "llama3-8b", billions: 8.03 },
  { name: "llama3.1-8b", billions: 8.03 },
  { name: "llama3-70b", billions: 70.55 },
  { name: "llama3.1-70b", billions: 70.55 },
  { name: "llama3.1-405b", billions: 405.85 },
  { name: "mistral-7b-v0.1", billions: 7.24 },
  { name: "mixtral-8x7b-instruct-v0.1", billions: 46.7 },
  { name: "mistral-123b-v2", billions: 122.6 },
  { name: "granite-3-8b", billions: 8.17 },
  { name: "granite-3.1-8b-instruct", billions: 8.17 },
  { name: "granite-3.1-2b", billions: 2.53 },
  { name: "granite-3.1-3b-a800m-instruct", billions: 3.3 },
  { name: "granite-3b-code-base-128k", billions: 3.48 },
  { name: "granite-8b-code-base", billions: 8.05 },
  { name: "granite-7b-base", billions: 6.74 },
  { name: "granite-20b-v2", billions: 20.1 },
  { name: "granite-34b-code-base", billions: 33.7 },
];

/** §4.9 rough totals of internal or hybrid checkpoints (proxy shapes or model-card summaries). */
const APPROXIMATE_TOTALS: Array<{ name: string; billions: number }> = [
  { name: "granite-13b-v2", billions: 13 },
  { name: "granite-8b-japanese", billions: 8 },
  { name: "allam-1-13b", billions: 13 },
  { name: "granite-4.0-h-small", billions: 32 },
  { name: "granite-4.0-h-tiny", billions: 7 },
  { name: "granite-4.0-h-micro", billions: 3 },
  { name: "granite-4.0-micro", billions: 3 },
  { name: "granite-4.0-1b", billions: 1.5 },
  { name: "granite-4.0-h-1b", billions: 1.5 },
  { name: "granite-4.0-350m", billions: 0.35 },
];

describe("model table", () => {
  it("holds exactly the 30 autoconf model names", () => {
    expect([...AUTOCONF_MODEL_NAMES].sort()).toEqual([...AUTOCONF_DOMAIN].sort());
  });

  it.each(AUTOCONF_DOMAIN)("%s has a consistent architecture", (name) => {
    const arch = modelArchitecture(name)!;
    expect(arch.name).toBe(name);
    expect(arch.hiddenSize % 64).toBe(0);
    expect(arch.attentionHeads % arch.kvHeads).toBe(0);
    expect(arch.expertsPerToken).toBeLessThanOrEqual(arch.experts);
    expect(arch.defaultLoraTargets.length).toBeGreaterThan(0);
  });

  it("looks names up case-insensitively and answers undefined for anything else", () => {
    expect(modelArchitecture("LLaMA-7B")?.name).toBe("llama-7b");
    expect(modelArchitecture("meta-llama/Llama-2-7b-hf")).toBeUndefined();
    expect(modelParameters("gpt-5")).toBeUndefined();
  });
});

describe("parameter count (§4.2)", () => {
  it.each(PUBLIC_TOTALS)("$name matches the published $billions B within 1 %", ({ name, billions }) => {
    const arch = modelArchitecture(name)!;
    expect(arch.approximate).toBe(false);
    expect(Math.abs(parameterCount(arch).total / 1e9 - billions) / billions).toBeLessThan(0.01);
  });

  it.each(APPROXIMATE_TOTALS)("$name is marked approximate and near $billions B", ({ name, billions }) => {
    const arch = modelArchitecture(name)!;
    expect(arch.approximate).toBe(true);
    expect(Math.abs(parameterCount(arch).total / 1e9 - billions) / billions).toBeLessThan(0.15);
  });

  it("counts Mixtral's active parameters with 2 of 8 experts", () => {
    const p = modelParameters("mixtral-8x7b-instruct-v0.1")!;
    expect(p.active / 1e9).toBeCloseTo(12.88, 1);
    expect(p.largestLayer / 1e6).toBeCloseTo(1451.3, 0);
  });

  it("counts granite-3.1-3b-a800m's active parameters near 0.8 B", () => {
    const p = modelParameters("granite-3.1-3b-a800m-instruct")!;
    expect(p.active / 1e9).toBeGreaterThan(0.8);
    expect(p.active / 1e9).toBeLessThan(0.9);
  });

  it.each([
    { name: "llama-7b", millions: 202.4 },
    { name: "llama3.1-8b", millions: 218.1 },
    { name: "llama3.1-405b", millions: 3187.7 },
    { name: "granite-3.1-8b-instruct", millions: 199.2 },
  ])("$name's FSDP unit is one decoder layer of $millions M", ({ name, millions }) => {
    expect(modelParameters(name)!.largestLayer / 1e6).toBeCloseTo(millions, 0);
  });

  it.each(AUTOCONF_DOMAIN)("%s: active ≤ total and one layer < total", (name) => {
    const p = modelParameters(name)!;
    expect(p.active).toBeLessThanOrEqual(p.total);
    expect(p.largestLayer).toBeLessThan(p.total / 4);
  });
});

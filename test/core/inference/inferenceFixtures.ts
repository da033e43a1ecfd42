/**
 * Reads the inference fixtures copied from the shared research folder (test/fixtures/SOURCES.md):
 * probes, derived cases, sample data and the original optimizer's expected outputs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { INFERENCE_DOCUMENT_NAMES, decodeSystemDocuments, type SystemSpec } from "../../../core/inference/index.js";

export const FIXTURES = fileURLToPath(new URL("../../fixtures/inference/", import.meta.url));

export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURES, relative), "utf8");
}

export function fixtureJson<T>(relative: string): T {
  return JSON.parse(fixtureText(relative)) as T;
}

/** The six `*-data.json` texts of a fixture directory, keyed by file name. */
export function documentTexts(dir: string): Record<string, string> {
  return Object.fromEntries(INFERENCE_DOCUMENT_NAMES.map((name) => [name, fixtureText(join(dir, name))]));
}

export function loadSystem(dir: string): SystemSpec {
  const decoded = decodeSystemDocuments(documentTexts(dir));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.system;
}

/** Inputs of each shared expected case (spec §7.3). */
export const CASE_INPUTS: Readonly<Record<string, string>> = {
  small: "sample-data/v0.7.0/small",
  large: "sample-data/v0.7.0/large",
};

export function caseDir(name: string): string {
  return CASE_INPUTS[name] ?? join("cases", name);
}

export interface ExpectedAllocation {
  accelerator: string;
  numReplicas: number;
  maxBatch: number;
  cost: number;
  itlAverage: number;
  ttftAverage: number;
  load: { arrivalRate: number; throughput?: number; avgInTokens: number; avgOutTokens: number };
}

export interface ExpectedCandidate {
  accelerator: string;
  numReplicas: number;
  maxBatch: number;
  cost: number;
  value: number;
  itlAverage: number;
  ttftAverage: number;
  rho: number;
  maxRPMPerReplica: number;
}

export interface ExpectedCase {
  case: string;
  profile: string;
  error: string;
  totalCost: number;
  unitsByType: Record<string, { units: number; cost: number }>;
  solution?: { allocations: Record<string, ExpectedAllocation> };
  partialAllocations?: { allocations: Record<string, ExpectedAllocation> };
  saturated: Record<string, boolean>;
  tieAlternatives: Record<string, ExpectedAllocation[]>;
  candidates: Record<string, ExpectedCandidate[]>;
}

export function expectedCase(profile: "v078" | "legacy-v070", name: string): ExpectedCase {
  return fixtureJson<ExpectedCase>(join("expected", profile, `${name}.json`));
}

export const V078_CASES = [
  "small",
  "small-unlimited",
  "small-options",
  "small-zeroload",
  "small-zeroload-unlimited",
  "small-tight-None",
  "small-tight-PriorityExhaustive",
  "small-tight-RoundRobin-delayed",
] as const;

/** Relative closeness for latencies (spec §7: 1e-4, and exact when float32 is emulated). */
export function relativeGap(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30);
}

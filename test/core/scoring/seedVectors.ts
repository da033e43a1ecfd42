/**
 * The radix-core scheduler agent's numbers (computed by running its code, original and reconciled),
 * read from test/fixtures/seeds/, and the float comparison the vectors are checked with.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const seedsDir = fileURLToPath(new URL("../../fixtures/seeds/", import.meta.url));
const readSeed = (name: string): string => readFileSync(seedsDir + name, "utf8");

type Terms = { mu: number; sigma: number; ig: number; penalty: number; cost: number };
type CapRun = {
  sigma_gt1_count: number;
  metrics: { scheduler_decisions_total: number; exploration_ratio: number; avg_uncertainty: number; stats_count: number; interference_pairs: number };
  first8_sigma: number[];
};

export interface SchedulerVectors {
  ig: Record<string, number>;
  prior_cost_default: number;
  orig_first_score_two_unseen: { chosen: string; priority: number; terms: Terms; sel: unknown };
  orig_obs5: [number, number, number][];
  orig_noisy_final: [number, number];
  orig_const10x20: [number, number];
  reconciled_obs5: [number, number, number][];
  reconciled_noisy_final: [number, number];
  reconciled_const10x20: [number, number];
  [capRun: `reconciled_cap${string}`]: CapRun;
  reconciled_interf_basic: number;
  reconciled_interf_antiaff: Record<string, number>;
  reconciled_interf_antiaff_score: { avoid: string[]; terms: Terms };
  reconciled_interf_multi: { single: number; multi: number };
  reconciled_affects_scoring: {
    clean: [string, number, Terms];
    interfered: [string, number, Terms, string[]];
  };
}

export const schedulerVectors = JSON.parse(readSeed("C_scheduler_vectors.json")) as SchedulerVectors;

/** 50 draws of Python's random.uniform(1, 20) after random.seed(42). */
export const noisyRuntimes = JSON.parse(readSeed("C_noisy_values_seed42.json")) as number[];

export interface SinkhornCase {
  header: string;
  /** Iterations, for `solve` cases. */
  iterations?: number;
  /** Row-major plan, for `solve` cases (printed to 13 significant digits). */
  plan?: number[][];
  rows?: number[];
  cols?: number[];
  /** Per job, gpu index → share, for `assign` cases (full precision). */
  assignments?: Map<number, number>[];
}

const floats = (s: string): number[] => (s.match(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g) ?? []).map(Number);

/** Parses the numpy printout in C_sinkhorn_vectors.txt into one case per header line. */
export function sinkhornCases(): SinkhornCase[] {
  const text = readSeed("C_sinkhorn_vectors.txt");
  const blocks = text.split(/\n(?=2x2|3x3|3x2|assign)/);
  return blocks.map((block) => {
    const [header = "", ...rest] = block.split("\n");
    const body = rest.join("\n");
    if (header.startsWith("assign")) {
      const label = header.slice(0, header.indexOf(" [{"));
      const dicts = header.slice(label.length).match(/\{[^}]*\}/g) ?? [];
      const assignments = dicts.map(
        (d) => new Map([...d.matchAll(/(\d+): np\.float64\(([^)]+)\)/g)].map((m) => [Number(m[1]), Number(m[2])] as const)),
      );
      return { header: label, assignments };
    }
    const iterations = Number(/iters (\d+)/.exec(header)?.[1]);
    const arrayText = /array\(([\s\S]*?)\)\n/.exec(body)?.[1] ?? "";
    const rowsText = /rows \[([^\]]*)\]/.exec(body)?.[1] ?? "";
    const colsText = /cols \[([^\]]*)\]/.exec(body)?.[1] ?? "";
    const plan = arrayText.split("],").map(floats);
    return { header, iterations, plan, rows: floats(rowsText), cols: floats(colsText) };
  });
}

/** |actual − expected| ≤ rel·|expected| (plus a tiny absolute slack for values printed as 0). */
export function expectClose(actual: number, expected: number, rel = 1e-9): void {
  const tol = rel * Math.abs(expected) + 1e-300;
  if (!(Math.abs(actual - expected) <= tol)) {
    expect.fail(`expected ${actual} to be within ${rel} (relative) of ${expected}`);
  }
}

export function expectTermsClose(actual: Terms, expected: Terms, rel = 1e-9): void {
  for (const k of ["mu", "sigma", "ig", "penalty", "cost"] as const) expectClose(actual[k], expected[k], rel);
}

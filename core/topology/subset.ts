import { TopologyInputError } from "./errors.js";
import type { LinkGraph } from "./linkGraph.js";
import { MAX_PAIR_POINTS } from "./quality.js";
import { describeSubset } from "./reason.js";

/** Where a k-GPU request would go on one node, and how good that is. */
export type TopologyScore =
  | {
      readonly outcome: "placed";
      /** Chosen GPU indices, ascending. */
      readonly gpus: readonly number[];
      /** 0…1; 1 = every pair on the node's best NVLink within one NUMA node, or k = 1. */
      readonly score: number;
      readonly reason: string;
      readonly search: "single" | "exact" | "greedy";
    }
  | { readonly outcome: "does-not-fit"; readonly gpus: readonly []; readonly score: 0; readonly reason: string; readonly freeCount: number }
  | { readonly outcome: "neutral"; readonly gpus: readonly []; readonly score: number; readonly reason: string };

export interface SubsetSearchOptions {
  /** Largest C(free, k) searched exhaustively; above it the greedy search runs. */
  readonly maxExactSubsets?: number;
}

/**
 * C(16, 8) = 12 870 is the worst case of a 16-GPU node, so every node up to 16 GPUs is searched exactly;
 * with the pruning below most searches visit far fewer subsets.
 */
export const DEFAULT_MAX_EXACT_SUBSETS = 20_000;

/**
 * The k free GPUs with the highest total pair points (quality.ts), and their normalised score
 * Σ pairPoints ÷ (C(k,2) × 10 000). Exact when C(free, k) ≤ maxExactSubsets, else greedy. Ties go to the
 * lexicographically smallest index list. Indices in `allocated` that the node does not have are ignored.
 * Asking for more GPUs than are free is an answer (`does-not-fit`), not an error; k < 1 throws.
 */
export function bestGpuSubset(
  graph: LinkGraph,
  k: number,
  allocated: Iterable<number>,
  opts: SubsetSearchOptions = {},
): TopologyScore {
  if (!Number.isInteger(k) || k < 1) throw new TopologyInputError("k", `expected an integer ≥ 1, got ${k}`);
  const taken = new Set(allocated);
  const free: number[] = [];
  graph.gpuIndices.forEach((index, pos) => {
    if (!taken.has(index)) free.push(pos);
  });
  if (k > free.length) {
    const reason = `needs ${k} GPUs, ${free.length} of ${graph.gpuIndices.length} free`;
    return { outcome: "does-not-fit", gpus: [], score: 0, reason, freeCount: free.length };
  }
  const limit = opts.maxExactSubsets ?? DEFAULT_MAX_EXACT_SUBSETS;
  const search = k === 1 ? "single" : combinations(free.length, k, limit) <= limit ? "exact" : "greedy";
  const chosen = search === "greedy" ? greedySearch(graph, free, k) : exactSearch(graph, free, k);
  const gpus = chosen.map((pos) => graph.gpuIndices[pos] ?? -1);
  return { outcome: "placed", gpus, score: normalised(graph, chosen), reason: describeSubset(graph, chosen), search };
}

/** Score of a given set of GPU indices on this node (same formula as the search); throws on an unknown index. */
export function subsetScore(graph: LinkGraph, gpuIndices: readonly number[]): number {
  const positions = gpuIndices.map((index, i) => {
    const pos = graph.gpuIndices.indexOf(index);
    if (pos < 0) throw new TopologyInputError(`gpus.${i}`, `GPU ${index} is not on this node`);
    return pos;
  });
  if (new Set(positions).size !== positions.length) throw new TopologyInputError("gpus", "a GPU is listed twice");
  return normalised(graph, positions);
}

function normalised(graph: LinkGraph, positions: readonly number[]): number {
  const pairs = (positions.length * (positions.length - 1)) / 2;
  if (pairs === 0) return 1;
  return totalPoints(graph, positions) / (pairs * MAX_PAIR_POINTS);
}

function totalPoints(graph: LinkGraph, positions: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < positions.length; i++) {
    const row = graph.pairPoints[positions[i] ?? 0];
    for (let j = 0; j < i; j++) sum += row?.[positions[j] ?? 0] ?? 0;
  }
  return sum;
}

/** C(n, k), or Infinity once it passes `cap` (only the comparison with the cap matters). */
function combinations(n: number, k: number, cap: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i; // C(n-k+i, i): an integer at every step
    if (c > cap) return Infinity;
  }
  return c;
}

/**
 * Depth-first over subsets in lexicographic order, keeping the first strict maximum (so ties keep the
 * lowest indices). A branch is cut when even best-case pairs for the rest could only tie: its bound is
 * the partial sum plus the remaining pairs at the best pair value among free GPUs.
 */
function exactSearch(graph: LinkGraph, free: readonly number[], k: number): number[] {
  let bestPair = 0;
  for (const a of free) for (const b of free) if (a !== b) bestPair = Math.max(bestPair, graph.pairPoints[a]?.[b] ?? 0);
  const allPairs = (k * (k - 1)) / 2;
  const ceiling = allPairs * bestPair;
  let best = -1;
  let bestSet: number[] = free.slice(0, k);
  const chosen: number[] = [];

  const visit = (from: number, partial: number): void => {
    if (chosen.length === k) {
      if (partial > best) {
        best = partial;
        bestSet = [...chosen];
      }
      return;
    }
    const need = k - chosen.length;
    for (let i = from; i <= free.length - need; i++) {
      if (best === ceiling) return;
      const g = free[i] ?? 0;
      const row = graph.pairPoints[g];
      let sum = partial;
      for (const c of chosen) sum += row?.[c] ?? 0;
      const done = ((chosen.length + 1) * chosen.length) / 2;
      if (best >= 0 && sum + (allPairs - done) * bestPair <= best) continue;
      chosen.push(g);
      visit(i + 1, sum);
      chosen.pop();
    }
  };
  visit(0, 0);
  return bestSet;
}

/**
 * From each free GPU in turn, add the free GPU that adds the most pair points (lowest index on ties)
 * until there are k; keep the best result. O(free² · k²) — fine for the 32-64 GPU nodes it is for.
 */
function greedySearch(graph: LinkGraph, free: readonly number[], k: number): number[] {
  let best = -1;
  let bestSet: number[] = [];
  for (const seed of free) {
    const set = [seed];
    let total = 0;
    while (set.length < k) {
      let pick = -1;
      let pickGain = -1;
      for (const g of free) {
        if (set.includes(g)) continue;
        const row = graph.pairPoints[g];
        const gain = set.reduce((s, c) => s + (row?.[c] ?? 0), 0);
        if (gain > pickGain) {
          pick = g;
          pickGain = gain;
        }
      }
      set.push(pick);
      total += pickGain;
    }
    set.sort((a, b) => a - b);
    if (total > best || (total === best && lexLess(set, bestSet))) {
      best = total;
      bestSet = set;
    }
  }
  return bestSet;
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y;
  }
  return false;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bestGpuSubset,
  buildLinkGraph,
  parseTopologyReport,
  parseTopoMatrix,
  subsetScore,
  type TopologyReport,
  topologyReportFromMatrix,
} from "../../../core/topology/index.js";
import { aTopology, expandTabs, printTopo } from "./topologyBuilder.js";

const TOKENS = ["NV1", "NV2", "NV4", "NV12", "NV18", "PIX", "PXB", "PHB", "NODE", "SYS", "CNX"] as const;
// Two sockets of two NUMA nodes each, as the kernel reports an NPS2-style box.
const DISTANCES = [[10, 12, 32, 32], [12, 10, 32, 32], [32, 32, 10, 12], [32, 32, 12, 10]];

const aNode = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    indices: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: n, maxLength: n }).map((a) => [...a].sort((x, y) => x - y)),
    upper: fc.array(fc.constantFrom(...TOKENS), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }),
    numa: fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { minLength: n, maxLength: n }),
    distances: fc.boolean(),
    allocated: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    k: fc.integer({ min: 1, max: n + 1 }),
    /** Sort keys that pick "some other" subset to compare against. */
    shuffle: fc.array(fc.integer(), { minLength: n, maxLength: n }),
    nics: fc.array(fc.array(fc.constantFrom(...TOKENS), { minLength: n, maxLength: n }), { maxLength: 3 }),
  }),
);
type Node = typeof aNode extends fc.Arbitrary<infer T> ? T : never;

function reportOf(node: Node): TopologyReport {
  const b = aTopology(node.indices.length).indices(node.indices).numa(node.numa);
  let t = 0;
  for (let i = 0; i < node.indices.length; i++) for (let j = i + 1; j < node.indices.length; j++) b.link(i, j, node.upper[t++] ?? "SYS");
  if (node.distances) b.numaDistances([0, 1, 2, 3], DISTANCES);
  return b.build();
}

const allocatedOf = (node: Node) => node.indices.filter((_, i) => node.allocated[i]);
const freeOf = (node: Node) => node.indices.filter((_, i) => !node.allocated[i]);

describe("bestGpuSubset properties", () => {
  it("places k distinct free GPUs with a score in [0,1], or says it does not fit exactly when k > free", () => {
    fc.assert(
      fc.property(aNode, (node) => {
        const result = bestGpuSubset(buildLinkGraph(reportOf(node)), node.k, allocatedOf(node));
        const free = freeOf(node);
        if (node.k > free.length) {
          expect(result).toMatchObject({ outcome: "does-not-fit", gpus: [], score: 0, freeCount: free.length });
          return;
        }
        expect(result.outcome).toBe("placed");
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(1);
        expect(result.gpus).toHaveLength(node.k);
        expect(new Set(result.gpus).size).toBe(node.k);
        expect([...result.gpus].sort((a, b) => a - b)).toEqual(result.gpus);
        for (const gpu of result.gpus) expect(free).toContain(gpu);
        expect(result.reason.length).toBeLessThan(200);
      }),
    );
  });

  it("is deterministic and ignores the order of the allocated list", () => {
    fc.assert(
      fc.property(aNode, (node) => {
        const report = reportOf(node);
        const first = bestGpuSubset(buildLinkGraph(report), node.k, allocatedOf(node));
        expect(bestGpuSubset(buildLinkGraph(structuredClone(report)), node.k, allocatedOf(node))).toEqual(first);
        expect(bestGpuSubset(buildLinkGraph(report), node.k, new Set(allocatedOf(node).reverse()))).toEqual(first);
      }),
    );
  });

  it("scores at least as well as any other free k-subset, and wins ties with lower indices", () => {
    fc.assert(
      fc.property(aNode, (node) => {
        const graph = buildLinkGraph(reportOf(node));
        const result = bestGpuSubset(graph, node.k, allocatedOf(node));
        if (result.outcome !== "placed") return;
        expect(subsetScore(graph, result.gpus)).toBe(result.score);
        const keyOf = new Map(node.indices.map((index, i) => [index, node.shuffle[i] ?? 0]));
        const other = freeOf(node)
          .sort((a, b) => (keyOf.get(a) ?? 0) - (keyOf.get(b) ?? 0) || a - b)
          .slice(0, node.k)
          .sort((a, b) => a - b);
        const otherScore = subsetScore(graph, other);
        expect(otherScore).toBeLessThanOrEqual(result.score);
        if (otherScore === result.score) expect(lexLE(result.gpus, other)).toBe(true);
      }),
    );
  });

  it("the greedy fallback also places valid subsets, never better than the exact search", () => {
    fc.assert(
      fc.property(aNode, (node) => {
        const graph = buildLinkGraph(reportOf(node));
        const exact = bestGpuSubset(graph, node.k, allocatedOf(node));
        const greedy = bestGpuSubset(graph, node.k, allocatedOf(node), { maxExactSubsets: 0 });
        expect(greedy.outcome).toBe(exact.outcome);
        if (greedy.outcome !== "placed") return;
        expect(greedy.gpus).toHaveLength(node.k);
        for (const gpu of greedy.gpus) expect(freeOf(node)).toContain(gpu);
        expect(greedy.score).toBeLessThanOrEqual(exact.score);
      }),
    );
  });
});

describe("topo -m text round trip", () => {
  it("a report printed the way nvidia-smi prints it (TABs, or tab-expanded) parses back to itself", () => {
    fc.assert(
      fc.property(aNode, (node) => {
        const base = reportOf(node);
        const report = parseTopologyReport({
          ...base,
          numaNodes: undefined,
          nics: node.nics.map((links, k) => ({ name: `mlx5_${k}`, links })),
        });
        const inventory = report.gpus.map((g) => ({ index: g.index, busId: g.busId }));
        const { numaNodes: _drop, ...want } = report;
        for (const text of [printTopo(report), expandTabs(printTopo(report))]) {
          expect(topologyReportFromMatrix(parseTopoMatrix(text), inventory)).toEqual(want);
        }
      }),
    );
  });
});

function lexLE(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return true;
}

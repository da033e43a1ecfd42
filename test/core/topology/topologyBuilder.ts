import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type GpuInventoryEntry, parseTopologyReport, type TopologyReport } from "../../../core/topology/index.js";

const fixturesDir = fileURLToPath(new URL("../../fixtures/node/", import.meta.url));

export const TOPO_FIXTURES = [
  "nvidia-smi-topo-m_dgx-a100_mlx5-columns.txt",
  "nvidia-smi-topo-m_dgx-a100_nic-legend.txt",
  "nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt",
  "nvidia-smi-topo-m_h100_spaces-no-nics.txt",
  "nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt",
] as const;
export type TopoFixture = (typeof TOPO_FIXTURES)[number];

export function readTopoFixture(name: TopoFixture): string {
  return readFileSync(fixturesDir + name, "utf8");
}

/** Invented inventory for fixtures (topo -m has no bus ids): nvidia-smi's 8-digit upper-case spelling. */
export function inventoryFor(indices: readonly number[]): GpuInventoryEntry[] {
  return indices.map((index) => ({
    index,
    busId: `00000000:${(0x18 + index * 0x10).toString(16).toUpperCase().padStart(2, "0")}:00.0`,
    uuid: `GPU-test-${index}`,
    model: "NVIDIA H100 80GB HBM3",
    memoryMiB: 81559,
  }));
}

/** Expands TABs to 8-column stops, as a terminal copy-paste does (ThunderKittens fixture). */
export function expandTabs(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      let out = "";
      for (const ch of line) out += ch === "\t" ? " ".repeat(8 - (out.length % 8)) : ch;
      return out.trimEnd();
    })
    .join("\n");
}

/**
 * Hand-made node topologies: `aTopology(4).links("PHB").link(0, 1, "NV4").numa([0, 0, 1, 1]).build()`.
 * Bus ids are invented; indices default to 0…n-1.
 */
export function aTopology(n: number) {
  let indices = Array.from({ length: n }, (_, i) => i);
  const links: string[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? "X" : "SYS")));
  let numa: (number | null)[] = Array.from({ length: n }, () => 0);
  let numaNodes: TopologyReport["numaNodes"];
  const builder = {
    indices(list: readonly number[]) {
      indices = [...list];
      return builder;
    },
    /** Every off-diagonal pair. */
    links(token: string) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) (links[i] as string[])[j] = token;
      return builder;
    },
    /** One pair by position, both directions. */
    link(a: number, b: number, token: string) {
      (links[a] as string[])[b] = token;
      (links[b] as string[])[a] = token;
      return builder;
    },
    /** Every pair inside each group. */
    within(groups: readonly (readonly number[])[], token: string) {
      for (const g of groups) for (const a of g) for (const b of g) if (a !== b) builder.link(a, b, token);
      return builder;
    },
    numa(list: readonly (number | null)[]) {
      numa = [...list];
      return builder;
    },
    numaDistances(ids: readonly number[], distances: readonly (readonly number[])[]) {
      numaNodes = ids.map((id, i) => ({ id, distances: [...(distances[i] ?? [])] }));
      return builder;
    },
    build(): TopologyReport {
      return parseTopologyReport({
        linkSource: "nvidia-smi",
        gpus: indices.map((index, i) => ({
          index,
          busId: `0000:${(0x10 + i).toString(16).padStart(2, "0")}:00.0`,
          numaNode: numa[i] ?? null,
          cpuAffinity: "",
        })),
        links,
        nics: [],
        ...(numaNodes && { numaNodes }),
      });
    },
  };
  return builder;
}

/** Prints a report's GPU matrix the way nvidia-smi does (TABs, ` X ` on the diagonal, affinity columns). */
export function printTopo(report: TopologyReport): string {
  const labels = report.gpus.map((g) => `GPU${g.index}`);
  const nicLabels = report.nics.map((_, k) => `NIC${k}`);
  const head = ["", ...labels, ...nicLabels, "CPU Affinity", "NUMA Affinity", "GPU NUMA ID"].join("\t");
  const cell = (t: string) => (t === "X" ? " X " : t);
  const gpuRows = report.gpus.map((g, i) =>
    [
      labels[i],
      ...(report.links[i] ?? []).map(cell),
      ...report.nics.map((nic) => nic.links[i] ?? ""),
      g.cpuAffinity,
      g.numaNode === null ? "N/A" : String(g.numaNode),
      "",
      g.gpuNumaId === undefined ? "N/A" : String(g.gpuNumaId),
    ].join("\t"),
  );
  const nicRows = report.nics.map((nic, k) =>
    [nicLabels[k], ...nic.links, ...report.nics.map((_, m) => (m === k ? " X " : "PIX")), "", "", "", ""].join("\t"),
  );
  const legend = report.nics.length === 0 ? [] : ["", "NIC Legend:", "", ...report.nics.map((nic, k) => `  NIC${k}: ${nic.name}`)];
  return [head, ...gpuRows, ...nicRows, "", "Legend:", "", "  X    = Self", ...legend, ""].join("\n");
}

import { describe, expect, it } from "vitest";
import {
  formatCpuList,
  linkBetween,
  parseTopoMatrix,
  TopoParseError,
  type TopoMatrix,
} from "../../../core/topology/index.js";
import { expandTabs, readTopoFixture, TOPO_FIXTURES, type TopoFixture } from "./topologyBuilder.js";

const GPUS_0_7 = [0, 1, 2, 3, 4, 5, 6, 7];

interface FixtureCase {
  file: TopoFixture;
  nics: (string | null)[];
  columns: string[];
  cpuAffinity: string[];
  numa: (number | null)[];
  /** Pairs (by label) and the token nvidia-smi printed between them. */
  links: [string, string, string][];
}

const mlx5 = (n: number) => Array.from({ length: n }, (_, i) => `mlx5_${i}`);
const a100Cpus = ["48-63,176-191", "48-63,176-191", "16-31,144-159", "16-31,144-159", "112-127,240-255", "112-127,240-255", "80-95,208-223", "80-95,208-223"];

const cases: FixtureCase[] = [
  {
    file: "nvidia-smi-topo-m_dgx-a100_mlx5-columns.txt",
    nics: mlx5(12),
    columns: ["CPU Affinity", "NUMA Affinity"],
    cpuAffinity: a100Cpus,
    numa: [3, 3, 1, 1, 7, 7, 5, 5],
    links: [["GPU0", "GPU7", "NV12"], ["GPU0", "mlx5_0", "PXB"], ["GPU0", "mlx5_2", "SYS"], ["mlx5_4", "mlx5_5", "PIX"], ["mlx5_11", "GPU7", "SYS"]],
  },
  {
    file: "nvidia-smi-topo-m_dgx-a100_nic-legend.txt",
    nics: mlx5(10),
    columns: ["CPU Affinity", "NUMA Affinity"],
    cpuAffinity: a100Cpus,
    numa: [3, 3, 1, 1, 7, 7, 5, 5],
    links: [["GPU3", "GPU4", "NV12"], ["GPU6", "NIC6", "PXB"], ["NIC8", "NIC9", "PIX"], ["GPU7", "NIC8", "SYS"]],
  },
  {
    file: "nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt",
    nics: mlx5(6),
    columns: ["CPU Affinity", "NUMA Affinity", "GPU NUMA ID"],
    // Only CPU 1 was in the Slurm job's cpuset: GPUs 0-3 show nothing, 4-7 show just that CPU.
    cpuAffinity: ["", "", "", "", "1", "1", "1", "1"],
    numa: [0, 0, 0, 0, 1, 1, 1, 1],
    links: [["GPU0", "GPU1", "NV18"], ["GPU0", "NIC0", "PIX"], ["GPU4", "NIC3", "PIX"], ["GPU4", "NIC4", "PIX"], ["GPU5", "NIC5", "NODE"]],
  },
  {
    file: "nvidia-smi-topo-m_h100_spaces-no-nics.txt",
    nics: [],
    columns: ["CPU Affinity", "NUMA Affinity", "GPU NUMA ID"],
    cpuAffinity: [...Array(4).fill("0-47,96-143"), ...Array(4).fill("48-95,144-191")],
    numa: [0, 0, 0, 0, 1, 1, 1, 1],
    links: [["GPU0", "GPU7", "NV18"], ["GPU7", "GPU6", "NV18"]],
  },
  {
    file: "nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt",
    nics: mlx5(12),
    columns: ["CPU Affinity", "NUMA Affinity", "GPU NUMA ID"],
    cpuAffinity: [...Array(4).fill("0-55,112-167"), ...Array(4).fill("56-111,168-223")],
    numa: [0, 0, 0, 0, 1, 1, 1, 1],
    links: [["GPU0", "NIC0", "PIX"], ["GPU0", "NIC1", "PXB"], ["GPU0", "NIC4", "NODE"], ["GPU0", "NIC6", "SYS"], ["GPU7", "NIC9", "PIX"], ["NIC10", "NIC11", "PIX"]],
  },
];

function tokens(m: TopoMatrix): string[][] {
  return m.links.map((row) => row.map((l) => l.token));
}

describe("parseTopoMatrix on real outputs", () => {
  it.each(cases)("$file", ({ file, nics, columns, cpuAffinity, numa, links }) => {
    const m = parseTopoMatrix(readTopoFixture(file));
    expect(m.gpus.map((g) => g.index)).toEqual(GPUS_0_7);
    expect(m.nics.map((n) => n.name)).toEqual(nics);
    expect(m.devices).toHaveLength(8 + nics.length);
    expect(m.affinityColumns).toEqual(columns);
    expect(m.gpus.map((g) => formatCpuList(g.cpuAffinity))).toEqual(cpuAffinity);
    expect(m.gpus.map((g) => g.numaAffinity?.[0] ?? null)).toEqual(numa);
    expect(m.gpus.every((g) => g.gpuNumaId === null)).toBe(true); // N/A everywhere: no C2C parts here
    for (const [a, b, token] of links) {
      expect(linkBetween(m, a, b).token).toBe(token);
      expect(linkBetween(m, b, a).token).toBe(token);
    }
    m.links.forEach((row, i) => expect(row[i]?.kind).toBe("self"));
    expect(m.links.flat().some((l) => l.kind === "unknown")).toBe(false);
  });

  it("reads the two DGX A100 captures (mlx5_N columns vs NICn + legend) as the same GPU matrix", () => {
    const old = parseTopoMatrix(readTopoFixture("nvidia-smi-topo-m_dgx-a100_mlx5-columns.txt"));
    const legend = parseTopoMatrix(readTopoFixture("nvidia-smi-topo-m_dgx-a100_nic-legend.txt"));
    const gpuPart = (m: TopoMatrix) => tokens(m).slice(0, 8).map((row) => row.slice(0, 8));
    expect(gpuPart(old)).toEqual(gpuPart(legend));
    expect(legend.nics[0]).toEqual({ label: "NIC0", name: "mlx5_0" });
    expect(old.nics[0]).toEqual({ label: "mlx5_0", name: "mlx5_0" });
  });

  it("reads NV# bond counts", () => {
    const m = parseTopoMatrix(readTopoFixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt"));
    expect(linkBetween(m, "GPU2", "GPU5")).toEqual({ kind: "nvlink", token: "NV18", nvlinks: 18 });
  });

  // A terminal copy loses the TABs; the values must still land in the right columns, including the
  // empty CPU Affinity of the della capture and the extra empty cell before GPU NUMA ID.
  it.each(TOPO_FIXTURES)("%s: the tab-expanded copy parses to the same matrix", (file) => {
    const text = readTopoFixture(file);
    expect(parseTopoMatrix(expandTabs(text))).toEqual(parseTopoMatrix(text));
  });

  it("falls back to whitespace words for a paste without 8-column stops, when every value is there", () => {
    const m = parseTopoMatrix("GPU0  GPU1  CPU Affinity  NUMA Affinity\nGPU0  X  NV4  0-3  0\nGPU1  NV4  X  4-7  1\n");
    expect(m.gpus.map((g) => [formatCpuList(g.cpuAffinity), g.numaAffinity])).toEqual([
      ["0-3", [0]],
      ["4-7", [1]],
    ]);
  });

  it("accepts CRLF line ends and blank lines before the header", () => {
    const text = readTopoFixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt");
    expect(parseTopoMatrix(`\n\n${text.replaceAll("\n", "\r\n")}`)).toEqual(parseTopoMatrix(text));
  });

  it("keeps tokens it does not know as unknown and reads old drivers' SOC as SYS", () => {
    const m = parseTopoMatrix("\tGPU0\tGPU1\tGPU2\tCPU Affinity\nGPU0\t X \tSOC\tCNX\t0-3\nGPU1\tSOC\t X \tPHB\t4-7\nGPU2\tCNX\tPHB\t X \t8\n");
    expect(linkBetween(m, "GPU0", "GPU1")).toEqual({ kind: "SYS", token: "SYS", nvlinks: 0 });
    expect(linkBetween(m, "GPU0", "GPU2")).toEqual({ kind: "unknown", token: "CNX", nvlinks: 0 });
    expect(m.affinityColumns).toEqual(["CPU Affinity"]);
    expect(m.gpus.map((g) => g.numaAffinity)).toEqual([null, null, null]);
  });

  it("reads a NUMA range (VMs), N/A and a GPU NUMA ID (C2C parts)", () => {
    const m = parseTopoMatrix("\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\nGPU0\t X \tNV18\t0-71\t0-3\t\t4\nGPU1\tNV18\t X \t\tN/A\t\tN/A\n");
    expect(m.gpus.map((g) => [g.numaAffinity, g.gpuNumaId])).toEqual([
      [[0, 1, 2, 3], 4],
      [null, null],
    ]);
  });
});

describe("parseTopoMatrix errors name the line and the problem", () => {
  const H = "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity";
  const R0 = "GPU0\t X \tNV4\t0-3\t0";
  const R1 = "GPU1\tNV4\t X \t0-3\t0";
  it.each([
    ["empty text", "", 1, "no header row"],
    ["a header without GPUs", "hello world\n", 1, "expected the header row naming GPU0"],
    ["a label twice in the header", "\tGPU0\tGPU0\nGPU0\t X \tX\n", 1, 'header names "GPU0" twice'],
    ["a row the header does not name", `${H}\n${R0}\n${R1}\nGPU2\tPIX\tPIX\t0\t0`, 4, 'row "GPU2" is not a column of the header (line 1)'],
    ["a row twice", `${H}\n${R0}\n${R0}\n${R1}`, 3, 'row "GPU0" appears twice (first on line 2)'],
    ["a short row", `${H}\n${R0}\nGPU1\tNV4`, 3, 'row "GPU1" has 1 link cells, the header has 2 devices'],
    ["an empty link cell", `${H}\n${R0}\nGPU1\t\t X \t0-3\t0`, 3, "GPU1 → GPU0: empty link cell"],
    ["a cell that is no link class", `${H}\n${R0}\nGPU1\tN/A\t X \t0-3\t0`, 3, 'GPU1 → GPU0: "N/A" is not a link class'],
    ["a diagonal that is not X", `${H}\nGPU0\tPIX\tNV4\t0-3\t0\n${R1}`, 2, 'GPU0 → itself: expected X, found "PIX"'],
    ["X off the diagonal", `${H}\nGPU0\t X \t X \t0-3\t0\n${R1}`, 2, "GPU0 → GPU1: X (self) off the diagonal"],
    ["a missing row", `${H}\n${R0}\n\nLegend:`, 1, 'device "GPU1" has a column but no row'],
    ["an asymmetric pair", `${H}\n${R0}\nGPU1\tPIX\t X \t0-3\t0`, 3, "GPU1 → GPU0 is PIX but GPU0 → GPU1 is NV4 (line 2)"],
    ["a bad CPU affinity", `${H}\nGPU0\t X \tNV4\t0-x\t0\n${R1}`, 2, 'GPU0 CPU Affinity: "0-x" in cpulist "0-x" is not an id or a range'],
    ["a bad NUMA affinity", `${H}\nGPU0\t X \tNV4\t0-3\tabc\n${R1}`, 2, "GPU0 NUMA Affinity:"],
    ["a bad GPU NUMA ID", `${H}\tGPU NUMA ID\nGPU0\t X \tNV4\t0-3\t0\t\tx1\n${R1}`, 2, 'GPU0 GPU NUMA ID: "x1" is neither a node id nor N/A'],
    ["a legend naming no NIC column", `\tGPU0\tNIC0\nGPU0\t X \tPIX\nNIC0\tPIX\t X \n\nNIC Legend:\n\n  NIC0: mlx5_0\n  NIC7: mlx5_7`, 8, 'NIC Legend names "NIC7"'],
    [
      "values that cannot be placed (spaces, but no 8-column layout)",
      "GPU0  CPU Affinity  NUMA Affinity\nGPU0  X  0-3",
      2,
      "cannot tell which of 2 affinity columns each of 1 values belongs to",
    ],
  ])("%s", (_name, text, line, problem) => {
    let caught: unknown;
    try {
      parseTopoMatrix(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TopoParseError);
    expect((caught as TopoParseError).line).toBe(line);
    expect((caught as TopoParseError).problem).toContain(problem);
    expect((caught as TopoParseError).message).toMatch(new RegExp(`^line ${line}: `));
  });
});

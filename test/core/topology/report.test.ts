import { describe, expect, it } from "vitest";
import {
  normaliseBusId,
  parseTopologyReport,
  parseTopoMatrix,
  TopologyInputError,
  type TopologyReport,
  topologyReportFromMatrix,
} from "../../../core/topology/index.js";
import { aTopology, inventoryFor, readTopoFixture, TOPO_FIXTURES } from "./topologyBuilder.js";

const GPUS = [0, 1, 2, 3, 4, 5, 6, 7];
const xd670 = () => parseTopoMatrix(readTopoFixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt"));
const della = () => parseTopoMatrix(readTopoFixture("nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt"));

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof TopologyInputError) return err.field;
    throw err;
  }
  throw new Error("expected a TopologyInputError");
}

describe("topologyReportFromMatrix", () => {
  it("writes the XD670 node: GPUs by index, nvidia-smi tokens, NICs by name, kernel cpulists", () => {
    const r = topologyReportFromMatrix(xd670(), inventoryFor(GPUS));
    expect(r.linkSource).toBe("nvidia-smi");
    expect(r.gpus[0]).toEqual({
      index: 0,
      uuid: "GPU-test-0",
      busId: "0000:18:00.0", // from nvidia-smi's 00000000:18:00.0
      model: "NVIDIA H100 80GB HBM3",
      memoryMiB: 81559,
      numaNode: 0,
      cpuAffinity: "0-55,112-167",
    });
    expect(r.gpus.map((g) => g.numaNode)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(r.links[0]).toEqual(["X", "NV18", "NV18", "NV18", "NV18", "NV18", "NV18", "NV18"]);
    expect(r.nics.map((n) => n.name)).toEqual(Array.from({ length: 12 }, (_, i) => `mlx5_${i}`));
    expect(r.nics[0]?.links).toEqual(["PIX", "PXB", "NODE", "NODE", "SYS", "SYS", "SYS", "SYS"]);
    expect(r.numaNodes).toBeUndefined();
  });

  it.each(TOPO_FIXTURES)("%s: compact, valid and byte-stable", (file) => {
    const build = () => topologyReportFromMatrix(parseTopoMatrix(readTopoFixture(file)), inventoryFor(GPUS));
    const json = JSON.stringify(build());
    // 8 GPUs and up to 12 NICs: a few KB, far inside a NodeReport's budget.
    expect(json.length).toBeLessThan(4096);
    expect(JSON.stringify(parseTopologyReport(JSON.parse(json)))).toBe(json);
    expect(JSON.stringify(build())).toBe(json);
  });

  it("keeps topo -m's cut-down affinity unless sysfs gives the GPU's own (della: Slurm cpuset)", () => {
    const plain = topologyReportFromMatrix(della(), inventoryFor(GPUS));
    expect(plain.gpus.map((g) => g.cpuAffinity)).toEqual(["", "", "", "", "1", "1", "1", "1"]);
    const withSysfs = topologyReportFromMatrix(
      della(),
      inventoryFor(GPUS).map((e) => ({ ...e, localCpuList: e.index < 4 ? "0-47,96-143" : "48-95,144-191" })),
    );
    expect(withSysfs.gpus.map((g) => g.cpuAffinity)).toEqual([...Array(4).fill("0-47,96-143"), ...Array(4).fill("48-95,144-191")]);
  });

  it("takes the NUMA node from sysfs when topo -m has none, and records the GPU's own NUMA id", () => {
    const m = parseTopoMatrix("\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\nGPU0\t X \tNV18\t0-71\tN/A\t\t4\nGPU1\tNV18\t X \t0-71\t0-1\t\tN/A\n");
    const r = topologyReportFromMatrix(m, [
      { index: 0, busId: "0009:01:00.0", numaNode: 1 },
      { index: 1, busId: "0019:01:00.0" },
    ]);
    expect(r.gpus.map((g) => [g.numaNode, g.gpuNumaId])).toEqual([
      [1, 4],
      [null, undefined], // an affinity over two nodes is no single node
    ]);
  });

  it("carries the NUMA distance table", () => {
    const r = topologyReportFromMatrix(xd670(), inventoryFor(GPUS), {
      numaNodes: [
        { id: 0, distances: [10, 21] },
        { id: 1, distances: [21, 10] },
      ],
    });
    expect(r.numaNodes).toEqual([
      { id: 0, distances: [10, 21] },
      { id: 1, distances: [21, 10] },
    ]);
  });

  it.each([
    ["a GPU without inventory", () => topologyReportFromMatrix(xd670(), inventoryFor([0, 1, 2, 3, 4, 5, 6])), "inventory"],
    ["inventory for a GPU topo -m lacks", () => topologyReportFromMatrix(xd670(), inventoryFor([...GPUS, 8])), "inventory"],
    ["a GPU listed twice", () => topologyReportFromMatrix(xd670(), inventoryFor([...GPUS, 3])), "inventory.8.index"],
    ["a bad bus id", () => topologyReportFromMatrix(xd670(), inventoryFor(GPUS).map((e) => ({ ...e, busId: "18:00" }))), "inventory.GPU0.busId"],
    [
      "a bad sysfs cpulist",
      () => topologyReportFromMatrix(xd670(), inventoryFor(GPUS).map((e) => ({ ...e, localCpuList: "x" }))),
      "inventory.GPU0.localCpuList",
    ],
    [
      "a distance table without a GPU's node",
      () => topologyReportFromMatrix(xd670(), inventoryFor(GPUS), { numaNodes: [{ id: 0, distances: [10] }] }),
      "topology.gpus.4.numaNode",
    ],
  ])("rejects %s, naming the field", (_name, fn, field) => {
    expect(fieldOf(fn)).toBe(field);
  });
});

describe("parseTopologyReport", () => {
  const valid = (): TopologyReport => aTopology(3).links("PHB").link(0, 1, "NV4").numa([0, 0, 1]).build();
  const edit = (change: (r: TopologyReport) => void) => {
    const r = structuredClone(valid());
    change(r);
    return r;
  };

  it("accepts a hand-made report and unknown link tokens", () => {
    expect(parseTopologyReport(edit((r) => r.links.forEach((row, i) => row.forEach((_, j) => i !== j && i + j === 2 && (row[j] = "CNX"))))).links[0]?.[2]).toBe("CNX");
  });

  it.each<[string, (r: TopologyReport) => void, string]>([
    ["GPUs out of index order", (r) => r.gpus.reverse(), "topology.gpus.1.index"],
    ["a short links row", (r) => r.links[1]?.pop(), "topology.links.1"],
    ["a missing links row", (r) => r.links.pop(), "topology.links"],
    ["a diagonal that is not X", (r) => ((r.links[2] as string[])[2] = "PIX"), "topology.links.2.2"],
    ["X off the diagonal", (r) => ((r.links[0] as string[])[2] = "X"), "topology.links.0.2"],
    ["an asymmetric pair", (r) => ((r.links[2] as string[])[0] = "SYS"), "topology.links.2.0"],
    ["a token with a space", (r) => ((r.links[0] as string[])[1] = "NV 4"), "topology.links.0.1"],
    ["a NIC with the wrong number of links", (r) => r.nics.push({ name: "mlx5_0", links: ["PIX"] }), "topology.nics.0.links"],
    ["a NIC marked X", (r) => r.nics.push({ name: "mlx5_0", links: ["X", "PIX", "SYS"] }), "topology.nics.0.links.0"],
    ["a bus id in nvidia-smi's spelling", (r) => ((r.gpus[0] as { busId: string }).busId = "00000000:18:00.0"), "topology.gpus.0.busId"],
    ["a cpulist not in merged form", (r) => ((r.gpus[1] as { cpuAffinity: string }).cpuAffinity = "4-7,0-3"), "topology.gpus.1.cpuAffinity"],
    ["a malformed cpulist", (r) => ((r.gpus[1] as { cpuAffinity: string }).cpuAffinity = "0-"), "topology.gpus.1.cpuAffinity"],
    ["a negative NUMA node", (r) => ((r.gpus[1] as { numaNode: number }).numaNode = -1), "topology.gpus.1.numaNode"],
    ["an unknown link source", (r) => ((r as { linkSource: string }).linkSource = "hwloc"), "topology.linkSource"],
    ["a ragged distance table", (r) => (r.numaNodes = [{ id: 0, distances: [10] }, { id: 1, distances: [21] }]), "topology.numaNodes.0.distances"],
  ])("rejects %s", (_name, change, field) => {
    expect(fieldOf(() => parseTopologyReport(edit(change)))).toBe(field);
  });
});

describe("normaliseBusId", () => {
  it.each([
    ["00000000:18:00.0", "0000:18:00.0"],
    ["00000000:2A:00.0", "0000:2a:00.0"],
    ["0000:db:00.0", "0000:db:00.0"],
    ["18:00.0", "0000:18:00.0"],
    ["00010000:E0:00.0", "10000:e0:00.0"], // Intel VMD domains are wider than 4 digits; keep them whole
    [" 0000:18:00.1\n", "0000:18:00.1"],
  ])("%j → %s", (text, want) => {
    expect(normaliseBusId(text)).toBe(want);
  });

  it.each(["", "18:00", "0000:18:00.8", "zz:00.0"])("rejects %j", (text) => {
    expect(() => normaliseBusId(text, "gpus.0.busId")).toThrow(/^gpus\.0\.busId: /);
  });
});

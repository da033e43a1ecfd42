import { describe, expect, it } from "vitest";
import {
  bestGpuSubset,
  buildLinkGraph,
  NEUTRAL_TOPOLOGY_SCORE,
  neutralTopologyScore,
  parseTopoMatrix,
  subsetScore,
  TopologyInputError,
  type TopologyReport,
  topologyReportFromMatrix,
  topologyScore,
} from "../../../core/topology/index.js";
import { aTopology, inventoryFor, readTopoFixture, type TopoFixture } from "./topologyBuilder.js";

const GPUS = [0, 1, 2, 3, 4, 5, 6, 7];
const fromFixture = (file: TopoFixture, numaNodes?: TopologyReport["numaNodes"]) =>
  topologyReportFromMatrix(parseTopoMatrix(readTopoFixture(file)), inventoryFor(GPUS), numaNodes ? { numaNodes } : {});

// Hand-made: a PCIe box (all pairs through host bridges) with two NVLink-bridged pairs.
const pcieWithBridges = () => aTopology(4).links("PHB").link(0, 1, "NV4").link(2, 3, "NV4").build();
// Hand-made: two sockets of four PCIe GPUs (NODE inside a socket, SYS across).
const twoSockets = () =>
  aTopology(8)
    .links("SYS")
    .within([[0, 1, 2, 3], [4, 5, 6, 7]], "NODE")
    .numa([0, 0, 0, 0, 1, 1, 1, 1])
    .build();

describe("bestGpuSubset on hand-made nodes", () => {
  it("k=2 on a PCIe box with two NVLink pairs takes an NVLink pair", () => {
    const g = buildLinkGraph(pcieWithBridges());
    expect(bestGpuSubset(g, 2, [])).toMatchObject({ outcome: "placed", gpus: [0, 1], score: 1, search: "exact" });
    expect(bestGpuSubset(g, 2, [1]).gpus).toEqual([2, 3]);
    // Only a split pair left: it still places, at PHB quality.
    expect(bestGpuSubset(g, 2, [0, 2])).toMatchObject({ gpus: [1, 3], score: 0.4 });
  });

  it("k=4 on a node with 4 GPUs per socket stays on one socket, and moves when one is taken", () => {
    const g = buildLinkGraph(twoSockets());
    expect(bestGpuSubset(g, 4, [])).toMatchObject({ gpus: [0, 1, 2, 3], score: 0.3, reason: "GPUs 0,1,2,3: NODE×6; NUMA 0" });
    expect(bestGpuSubset(g, 4, [1]).gpus).toEqual([4, 5, 6, 7]);
    // Five cannot fit in one socket: four on one, one on the other (4 cross pairs at SYS × 75 %).
    const five = bestGpuSubset(g, 5, []);
    expect(five.gpus).toEqual([0, 1, 2, 3, 4]);
    expect(five.score).toBeCloseTo((6 * 3000 + 4 * 750) / (10 * 10_000), 12);
  });

  it("prefers the pair with more bonded NVLinks (DGX-1-style NV1/NV2 mix)", () => {
    const g = buildLinkGraph(aTopology(4).links("SYS").link(0, 1, "NV1").link(0, 2, "NV1").link(2, 3, "NV2").link(1, 3, "NV1").build());
    const best = bestGpuSubset(g, 2, []);
    expect(best).toMatchObject({ gpus: [2, 3], score: 1, reason: "GPUs 2,3: NV2×1; NUMA 0" });
    expect(subsetScore(g, [0, 1])).toBeCloseTo(0.95, 12); // NV1 = 90 + 10 × 1/2
  });

  it("scores an unknown link token like SYS", () => {
    const g = buildLinkGraph(aTopology(3).links("PHB").link(0, 1, "CNX").build());
    expect(subsetScore(g, [0, 1])).toBe(0.1);
    expect(bestGpuSubset(g, 2, []).gpus).toEqual([0, 2]);
  });

  it("counts NUMA nodes of one socket (distance < 20) better than two sockets", () => {
    // NPS2-like: nodes 0,1 on socket A, 2,3 on socket B; one GPU per node, all on NVSwitch.
    const g = buildLinkGraph(
      aTopology(4)
        .links("NV18")
        .numa([0, 1, 2, 3])
        .numaDistances([0, 1, 2, 3], [[10, 12, 32, 32], [12, 10, 32, 32], [32, 32, 10, 12], [32, 32, 12, 10]])
        .build(),
    );
    expect(bestGpuSubset(g, 2, [0])).toMatchObject({ gpus: [2, 3], score: 0.9, reason: "GPUs 2,3: NV18×1; NUMA 2,3 on one socket" });
    expect(subsetScore(g, [1, 2])).toBe(0.75);
    expect(bestGpuSubset(g, 2, [0, 3]).reason).toBe("GPUs 1,2: NV18×1; NUMA 1,2 across 2 sockets");
  });

  it("does not charge for NUMA when the node does not know it", () => {
    const g = buildLinkGraph(aTopology(2).links("PIX").numa([null, 1]).build());
    expect(bestGpuSubset(g, 2, [])).toMatchObject({ score: 0.6, reason: "GPUs 0,1: PIX×1; NUMA 1,?" });
  });

  it("works with non-contiguous GPU indices and ignores allocated indices the node lacks", () => {
    const g = buildLinkGraph(aTopology(3).indices([1, 4, 6]).links("SYS").link(1, 2, "NV8").build());
    expect(bestGpuSubset(g, 2, [0, 99])).toMatchObject({ gpus: [4, 6], score: 1 });
  });

  it("k=1 takes the lowest free GPU at score 1", () => {
    const g = buildLinkGraph(twoSockets());
    expect(bestGpuSubset(g, 1, [0, 1])).toEqual({ outcome: "placed", gpus: [2], score: 1, reason: "GPU 2: single GPU; NUMA 0", search: "single" });
  });

  it("answers 'does not fit' when fewer GPUs are free than asked", () => {
    const g = buildLinkGraph(twoSockets());
    expect(bestGpuSubset(g, 4, [0, 1, 2, 3, 4, 5])).toEqual({
      outcome: "does-not-fit",
      gpus: [],
      score: 0,
      reason: "needs 4 GPUs, 2 of 8 free",
      freeCount: 2,
    });
    expect(bestGpuSubset(g, 9, []).outcome).toBe("does-not-fit");
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects k = %s", (k) => {
    const g = buildLinkGraph(twoSockets());
    expect(() => bestGpuSubset(g, k, [])).toThrow(TopologyInputError);
  });

  it("subsetScore rejects GPUs the node lacks or lists twice", () => {
    const g = buildLinkGraph(twoSockets());
    expect(() => subsetScore(g, [0, 8])).toThrow("gpus.1: GPU 8 is not on this node");
    expect(() => subsetScore(g, [0, 0])).toThrow(TopologyInputError);
  });
});

describe("bestGpuSubset on real topologies", () => {
  it("XD670 (NV18 all-to-all, 4 GPUs per socket): k=4 stays on one NUMA node", () => {
    const g = buildLinkGraph(fromFixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt"));
    expect(bestGpuSubset(g, 4, [])).toMatchObject({ gpus: [0, 1, 2, 3], score: 1, reason: "GPUs 0,1,2,3: NV18×6; NUMA 0" });
    expect(bestGpuSubset(g, 4, [2]).gpus).toEqual([4, 5, 6, 7]);
    // A pair goes where it strands no lone GPU across the sockets: 3 is alone on NUMA 0.
    expect(bestGpuSubset(g, 2, [0, 1, 2]).gpus).toEqual([4, 5]);
    // All eight: 12 same-socket pairs at 100 %, 16 cross-socket pairs at 75 %.
    expect(bestGpuSubset(g, 8, []).score).toBeCloseTo((12 + 16 * 0.75) / 28, 12);
  });

  it("DGX A100 (NV12, two GPUs per NPS4 NUMA node): k=2 takes a NUMA pair, k=4 two pairs", () => {
    const g = buildLinkGraph(fromFixture("nvidia-smi-topo-m_dgx-a100_nic-legend.txt"));
    expect(bestGpuSubset(g, 2, [0])).toMatchObject({ gpus: [2, 3], score: 1 });
    expect(bestGpuSubset(g, 4, [])).toMatchObject({ gpus: [0, 1, 2, 3], reason: "GPUs 0,1,2,3: NV12×6; NUMA 1,3" });
    expect(bestGpuSubset(g, 4, []).score).toBeCloseTo((2 + 4 * 0.75) / 6, 12);
    // Any two intact NUMA pairs tie; the lowest indices win.
    expect(bestGpuSubset(g, 4, [0]).gpus).toEqual([2, 3, 4, 5]);
  });

  it("DGX A100 with its NUMA distance table: nodes 0-3 and 4-7 are sockets", () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    const distances = ids.map((a) => ids.map((b) => (a === b ? 10 : Math.floor(a / 4) === Math.floor(b / 4) ? 12 : 32)));
    const numaNodes = ids.map((id, i) => ({ id, distances: distances[i] ?? [] }));
    const g = buildLinkGraph(fromFixture("nvidia-smi-topo-m_dgx-a100_mlx5-columns.txt", numaNodes));
    const four = bestGpuSubset(g, 4, []);
    expect(four).toMatchObject({ gpus: [0, 1, 2, 3], reason: "GPUs 0,1,2,3: NV12×6; NUMA 1,3 on one socket" });
    expect(four.score).toBeCloseTo((2 + 4 * 0.9) / 6, 12);
  });

  it.each<TopoFixture>(["nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt", "nvidia-smi-topo-m_h100_spaces-no-nics.txt"])(
    "%s: k=4 on NUMA 0, k=5 spills one GPU",
    (file) => {
      const g = buildLinkGraph(fromFixture(file));
      expect(bestGpuSubset(g, 4, [])).toMatchObject({ gpus: [0, 1, 2, 3], score: 1 });
      expect(bestGpuSubset(g, 5, [])).toMatchObject({ gpus: [0, 1, 2, 3, 4], reason: "GPUs 0,1,2,3,4: NV18×10; NUMA 0,1" });
    },
  );

  it("a 32-GPU node (4 NVLink islands) goes greedy and still finds an island", () => {
    const islands = [0, 1, 2, 3].map((s) => Array.from({ length: 8 }, (_, i) => s * 8 + i));
    const g = buildLinkGraph(
      aTopology(32)
        .links("SYS")
        .within(islands, "NV18")
        .numa(Array.from({ length: 32 }, (_, i) => Math.floor(i / 8)))
        .build(),
    );
    expect(bestGpuSubset(g, 8, [])).toMatchObject({ gpus: islands[0], score: 1, search: "greedy" });
    expect(bestGpuSubset(g, 8, [3]).gpus).toEqual(islands[1]);
    expect(bestGpuSubset(g, 2, [])).toMatchObject({ search: "exact" }); // C(32,2) = 496
  });
});

describe("topologyScore: what the extender calls", () => {
  it("gives a node without a report the neutral score", () => {
    expect(NEUTRAL_TOPOLOGY_SCORE).toBe(0.5);
    expect(topologyScore(undefined, 4, [])).toEqual({ outcome: "neutral", gpus: [], score: 0.5, reason: "no topology report" });
    expect(neutralTopologyScore()).toEqual(topologyScore(undefined, 1, [0]));
  });

  it("takes a report or a prebuilt graph and answers the same", () => {
    const report = twoSockets();
    expect(topologyScore(report, 4, [1])).toEqual(bestGpuSubset(buildLinkGraph(report), 4, [1]));
    expect(topologyScore(buildLinkGraph(report), 4, new Set([1]))).toEqual(topologyScore(report, 4, [1]));
  });
});

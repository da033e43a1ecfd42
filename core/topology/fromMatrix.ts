import { normaliseBusId } from "./busId.js";
import { formatCpuList, parseCpuList } from "./cpuList.js";
import { CpuListError, TopologyInputError } from "./errors.js";
import { type NumaNodeDistances, parseTopologyReport, type TopologyGpu, type TopologyReport } from "./report.js";
import type { TopoMatrix } from "./topoMatrix.js";

/**
 * What the agent knows about a GPU from other sources than `topo -m`, which prints neither bus ids nor
 * names: `nvidia-smi --query-gpu` (index, uuid, name, pci.bus_id, memory.total) and sysfs.
 */
export interface GpuInventoryEntry {
  readonly index: number;
  /** Any spelling nvidia-smi or sysfs uses; stored normalised (`0000:18:00.0`). */
  readonly busId: string;
  readonly uuid?: string;
  readonly model?: string;
  readonly memoryMiB?: number;
  /**
   * sysfs `local_cpulist`. Wins over topo -m's CPU Affinity, which is cut down to the cpuset nvidia-smi
   * ran in (della fixture: empty, or just `1`) while sysfs shows the hardware's own.
   */
  readonly localCpuList?: string;
  /** sysfs `numa_node` (-1 there means unknown: pass null). Used when topo -m has no single node. */
  readonly numaNode?: number | null;
}

export interface ReportExtras {
  /** `/sys/devices/system/node/nodeN/distance` rows, when the agent read them. */
  readonly numaNodes?: readonly NumaNodeDistances[];
}

/**
 * Builds the NodeReport topology from a parsed `nvidia-smi topo -m` and the GPU inventory. Every GPU of
 * the matrix needs an inventory entry and vice versa (a mismatch means the two commands saw different
 * GPUs; the agent should retry rather than report half a node). Throws TopologyInputError naming the
 * field; the result has passed `parseTopologyReport`.
 */
export function topologyReportFromMatrix(
  m: TopoMatrix,
  inventory: readonly GpuInventoryEntry[],
  extras: ReportExtras = {},
): TopologyReport {
  const byIndex = new Map<number, GpuInventoryEntry>();
  inventory.forEach((entry, i) => {
    if (byIndex.has(entry.index)) throw new TopologyInputError(`inventory.${i}.index`, `GPU ${entry.index} listed twice`);
    byIndex.set(entry.index, entry);
  });
  for (const entry of inventory) {
    if (!m.gpus.some((g) => g.index === entry.index)) {
      throw new TopologyInputError("inventory", `GPU ${entry.index} is not in the topo -m matrix`);
    }
  }

  const order = m.gpus.map((g) => ({ g, col: m.devices.indexOf(g.label) })).sort((a, b) => a.g.index - b.g.index);
  const gpus: TopologyGpu[] = order.map(({ g }) => {
    const facts = byIndex.get(g.index);
    if (!facts) throw new TopologyInputError("inventory", `GPU ${g.index} of the topo -m matrix has no inventory entry`);
    const single = g.numaAffinity?.length === 1 ? (g.numaAffinity[0] ?? null) : null;
    return {
      index: g.index,
      ...(facts.uuid !== undefined && { uuid: facts.uuid }),
      busId: normaliseBusId(facts.busId, `inventory.GPU${g.index}.busId`),
      ...(facts.model !== undefined && { model: facts.model }),
      ...(facts.memoryMiB !== undefined && { memoryMiB: facts.memoryMiB }),
      numaNode: single ?? facts.numaNode ?? null,
      cpuAffinity: facts.localCpuList !== undefined ? canonicalCpuList(facts.localCpuList, g.index) : formatCpuList(g.cpuAffinity),
      ...(g.gpuNumaId !== null && { gpuNumaId: g.gpuNumaId }),
    };
  });

  const token = (r: number, c: number) => m.links[r]?.[c]?.token ?? "";
  const links = order.map((a) => order.map((b) => token(a.col, b.col)));
  const nics = m.nics.map((nic) => {
    const col = m.devices.indexOf(nic.label);
    return { name: nic.name ?? nic.label, links: order.map((g) => token(col, g.col)) };
  });
  const report = {
    linkSource: "nvidia-smi" as const,
    gpus,
    links,
    nics,
    ...(extras.numaNodes !== undefined && { numaNodes: extras.numaNodes.map((n) => ({ id: n.id, distances: [...n.distances] })) }),
  };
  return parseTopologyReport(report);
}

function canonicalCpuList(text: string, index: number): string {
  try {
    return formatCpuList(parseCpuList(text));
  } catch (err) {
    throw new TopologyInputError(`inventory.GPU${index}.localCpuList`, err instanceof CpuListError ? err.message : String(err));
  }
}

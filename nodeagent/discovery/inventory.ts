import type { SmiGpu, SmiLog } from "../../core/gpu/index.js";
import type { DiscoveredGpu } from "./gpu.js";
import type { HostPaths } from "./hostPaths.js";
import { listSysfsGpus, type PciPlacement, readPciPlacement } from "./sysfs.js";

/** `0x2330` from sysfs → `0x233010DE`, the form `-q -x` and mig-parted's device-filter use. */
function deviceFilterId(deviceId: number): string {
  return `0x${deviceId.toString(16).toUpperCase().padStart(4, "0")}10DE`;
}

/**
 * Joins `--query-gpu` rows with sysfs placement and, when read, `-q -x` details (by bus id). Problems
 * are returned, not thrown: a missing sysfs only costs the NUMA and CPU facts.
 */
export async function inventoryFromSmi(
  paths: HostPaths,
  smiGpus: readonly SmiGpu[],
  details: SmiLog | undefined,
): Promise<{ gpus: DiscoveredGpu[]; problems: string[] }> {
  const problems: string[] = [];
  const unreadable = new Set<string>();
  const placements = await Promise.all(
    smiGpus.map(async (g): Promise<PciPlacement | undefined> => {
      try {
        return await readPciPlacement(paths, g.busId);
      } catch (err) {
        unreadable.add(g.busId);
        problems.push(`sysfs ${g.busId}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
  const missing = smiGpus.filter((g, i) => placements[i] === undefined && !unreadable.has(g.busId)).map((g) => g.busId);
  if (missing.length > 0) {
    problems.push(`sysfs: no PCI device for ${missing.join(", ")} under ${paths.sys}; NUMA node and CPU affinity from nvidia-smi topo -m only`);
  }
  const gpus = smiGpus
    .map((g, i): DiscoveredGpu => {
      const d = details?.gpus.find((x) => x.busId === g.busId);
      const p = placements[i];
      return {
        index: g.index,
        uuid: g.uuid,
        busId: g.busId,
        model: g.name,
        memoryTotalMiB: g.memoryTotalMiB,
        memoryUsedMiB: g.memoryUsedMiB,
        utilizationGpuPercent: g.utilizationGpuPercent,
        migMode: { current: g.migMode, pending: d ? d.migMode.pending : null },
        pciDeviceId: d?.pciDeviceId ?? null,
        numaNode: p?.numaNode ?? null,
        localCpuList: p?.localCpuList ?? null,
      };
    })
    .sort((a, b) => a.index - b.index);
  return { gpus, problems };
}

/**
 * The inventory when nvidia-smi cannot answer: NVIDIA GPU functions in sysfs. nvidia-smi's default
 * order (and CUDA's with CUDA_DEVICE_ORDER=PCI_BUS_ID) is ascending bus id, which the indices here copy
 * (the XD670 inventory, 18 < 2A < … < DB for GPUs 0-7, agrees); NVML may order differently on some
 * systems, so the result says it came from sysfs and the report must not be joined with nvidia-smi
 * indices taken at another time.
 */
export async function inventoryFromSysfs(paths: HostPaths): Promise<DiscoveredGpu[]> {
  const found = await listSysfsGpus(paths);
  return found.map((g, index) => ({
    index,
    uuid: null,
    busId: g.busId,
    model: null,
    memoryTotalMiB: null,
    memoryUsedMiB: null,
    utilizationGpuPercent: null,
    migMode: { current: null, pending: null },
    pciDeviceId: g.deviceId === null ? null : deviceFilterId(g.deviceId),
    numaNode: g.numaNode,
    localCpuList: g.localCpuList,
  }));
}

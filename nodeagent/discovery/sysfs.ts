import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { GpuTextError, isNvidiaGpuFunction, parseNumaDistanceRow, parseSysfsHex, parseSysfsNumaNode } from "../../core/gpu/index.js";
import { CpuListError, expandCpuList, formatCpuList, type NumaNodeDistances, parseCpuList } from "../../core/topology/index.js";
import { type HostPaths, numaNodesDir, pciDevicesDir } from "./hostPaths.js";

/** What sysfs says about one PCI function: where it sits relative to the CPUs. */
export interface PciPlacement {
  /** sysfs spelling, `0000:18:00.0`. */
  readonly busId: string;
  /** Null when the kernel has none (`-1`: VMs, single-node boards) or the file is missing. */
  readonly numaNode: number | null;
  /** Kernel cpulist in merged form; null when the file is missing. */
  readonly localCpuList: string | null;
}

export interface SysfsGpu extends PciPlacement {
  /** PCI device id (`0x2330` = H100 SXM 80GB); the model name is not in sysfs. */
  readonly deviceId: number | null;
}

/** sysfs names functions `dddd:bb:dd.f`; other entries (none today) are ignored. */
const SYSFS_BUS_ID = /^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Text of a file, or null when it does not exist (older kernels and VMs lack some attributes). */
async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/**
 * `numa_node` and `local_cpulist` of one PCI function; undefined when sysfs has no such device (the
 * host's /sys is not mounted where HostPaths says, or the GPU fell off the bus).
 */
export async function readPciPlacement(paths: HostPaths, busId: string): Promise<PciPlacement | undefined> {
  const dir = path.join(pciDevicesDir(paths), busId);
  const [numaText, cpuText] = await Promise.all([readOptional(path.join(dir, "numa_node")), readOptional(path.join(dir, "local_cpulist"))]);
  if (numaText === null && cpuText === null && (await readOptional(path.join(dir, "vendor"))) === null) return undefined;
  return {
    busId,
    numaNode: numaText === null ? null : parseSysfsNumaNode(numaText, path.join(dir, "numa_node")),
    localCpuList: cpuText === null ? null : canonicalCpuList(cpuText, path.join(dir, "local_cpulist")),
  };
}

/**
 * Every NVIDIA GPU function under `/sys/bus/pci/devices`, sorted by bus id. Throws when the directory
 * cannot be read (no sysfs mounted) or a vendor/class file is malformed.
 */
export async function listSysfsGpus(paths: HostPaths): Promise<SysfsGpu[]> {
  const dir = pciDevicesDir(paths);
  const entries = (await readdir(dir)).filter((e) => SYSFS_BUS_ID.test(e)).sort();
  const found = await Promise.all(
    entries.map(async (busId): Promise<SysfsGpu | undefined> => {
      const file = (name: string) => path.join(dir, busId, name);
      const [vendor, pciClass] = await Promise.all([readOptional(file("vendor")), readOptional(file("class"))]);
      if (vendor === null || pciClass === null) return undefined;
      if (!isNvidiaGpuFunction(parseSysfsHex(vendor, file("vendor")), parseSysfsHex(pciClass, file("class")))) return undefined;
      const [device, placement] = await Promise.all([readOptional(file("device")), readPciPlacement(paths, busId)]);
      return {
        busId,
        deviceId: device === null ? null : parseSysfsHex(device, file("device")),
        numaNode: placement?.numaNode ?? null,
        localCpuList: placement?.localCpuList ?? null,
      };
    }),
  );
  return found.filter((g): g is SysfsGpu => g !== undefined);
}

/**
 * The kernel's NUMA distance table (`node/online`, then `nodeN/distance` for each online node), or
 * undefined when the kernel has no NUMA directory. Throws when a row is malformed or its length differs
 * from the number of online nodes: a partial table would mislead the scorer.
 */
export async function readNumaDistances(paths: HostPaths): Promise<NumaNodeDistances[] | undefined> {
  const dir = numaNodesDir(paths);
  const online = await readOptional(path.join(dir, "online"));
  if (online === null) return undefined;
  const ids = expandCpuList(cpuListOf(online, path.join(dir, "online")));
  return Promise.all(
    ids.map(async (id) => {
      const file = path.join(dir, `node${id}`, "distance");
      const distances = parseNumaDistanceRow(await readFile(file, "utf8"), file);
      if (distances.length !== ids.length) throw new GpuTextError(1, file, `${distances.length} distances for ${ids.length} online nodes`);
      return { id, distances };
    }),
  );
}

function cpuListOf(text: string, file: string) {
  try {
    return parseCpuList(text);
  } catch (err) {
    throw new GpuTextError(1, file, err instanceof CpuListError ? err.message : String(err));
  }
}

function canonicalCpuList(text: string, file: string): string {
  return formatCpuList(cpuListOf(text, file));
}

import { type ComputeApp, parseComputeApps, parseGpuQuery, parseSmiLog, type SmiGpu, type SmiLog } from "../../core/gpu/index.js";
import { type GpuInventoryEntry, parseTopoMatrix, type TopologyReport, topologyReportFromMatrix } from "../../core/topology/index.js";
import type { CommandRunner } from "./commandRunner.js";
import type { DiscoveredGpu } from "./gpu.js";
import type { HostPaths } from "./hostPaths.js";
import { inventoryFromSmi, inventoryFromSysfs } from "./inventory.js";
import { type MigLayout, type MigTexts, NO_MIG, readMigLayout } from "./migLayout.js";
import { DEFAULT_SMI_TIMEOUT_MS, runSmi, SMI_ARGS, type SmiInvoker } from "./nvidiaSmi.js";
import { readNumaDistances } from "./sysfs.js";

export interface DiscoveryDeps {
  readonly runner: CommandRunner;
  readonly paths: HostPaths;
  /** The binary (`--nvidia-smi PATH`); default `nvidia-smi` from PATH. */
  readonly nvidiaSmi?: string;
  /** Per nvidia-smi call; default DEFAULT_SMI_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /**
   * When to run `nvidia-smi -q -x` (driver version, pending MIG mode, PCI device id): `mig-capable`
   * (default) only if some GPU supports MIG, where a pending mode change matters; it is the slowest call.
   */
  readonly details?: "always" | "mig-capable" | "never";
}

/** A compute process with the index of the GPU whose UUID it named (null when no GPU has that UUID). */
export interface GpuProcess extends ComputeApp {
  readonly gpuIndex: number | null;
}

export interface GpuDiscovery {
  /** Where the inventory came from; `none` when neither nvidia-smi nor sysfs could list GPUs. */
  readonly source: "nvidia-smi" | "sysfs" | "none";
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  /** Sorted by index. */
  readonly gpus: readonly DiscoveredGpu[];
  /** Absent when `topo -m` failed or disagreed with the inventory, and always in sysfs-only mode. */
  readonly topology?: TopologyReport;
  readonly mig: MigLayout;
  readonly computeApps: readonly GpuProcess[];
  /** One line per thing that went wrong, naming the command or file; empty on a healthy node. */
  readonly problems: readonly string[];
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Learns the node's GPUs, their links, MIG layout and compute processes. Never throws for what the
 * node lacks or prints: each failure becomes a problem line and the result holds what could be learnt.
 * Without a working `nvidia-smi --query-gpu` the inventory comes from sysfs alone and no other
 * nvidia-smi call is made (they would fail or hang the same way). Calls run one after another, so a
 * wedged driver costs at most one timeout before the rest are skipped.
 */
export async function discoverGpus(deps: DiscoveryDeps): Promise<GpuDiscovery> {
  const smi: SmiInvoker = { runner: deps.runner, file: deps.nvidiaSmi ?? "nvidia-smi", timeoutMs: deps.timeoutMs ?? DEFAULT_SMI_TIMEOUT_MS };
  const problems: string[] = [];
  let smiState: "usable" | "unavailable" | "skipping" = "usable";
  /** Runs one call and parses it; undefined (and a problem) on failure. After an unavailable nvidia-smi, skips. */
  const step = async <T>(args: readonly string[], parse: (text: string) => T, nothingFoundIsEmpty = false): Promise<T | undefined> => {
    if (smiState !== "usable") {
      if (smiState === "unavailable") problems.push(`${smi.file}: later calls skipped after the failure above`);
      smiState = "skipping";
      return undefined;
    }
    const out = await runSmi(smi, args, { nothingFoundIsEmpty });
    if (!out.ok) {
      problems.push(out.problem);
      if (out.unavailable) smiState = "unavailable";
      return undefined;
    }
    try {
      return parse(out.text);
    } catch (err) {
      problems.push(`${smi.file} ${args.join(" ")}: ${message(err)}`);
      return undefined;
    }
  };

  const smiGpus = await step(SMI_ARGS.gpus, parseGpuQuery);
  if (smiGpus === undefined) return fromSysfsOnly(deps.paths, problems);

  const wantDetails = deps.details ?? "mig-capable";
  const details =
    wantDetails === "always" || (wantDetails === "mig-capable" && smiGpus.some((g) => g.migMode !== null))
      ? await step(SMI_ARGS.details, parseSmiLog)
      : undefined;
  const inventory = await inventoryFromSmi(deps.paths, smiGpus, details);
  problems.push(...inventory.problems);
  const gpus = inventory.gpus;

  const topology = await discoverTopology(deps.paths, gpus, await step(SMI_ARGS.topology, (t) => t), problems);
  const apps = (await step(SMI_ARGS.computeApps, parseComputeApps)) ?? [];
  const uuidToIndex = new Map(smiGpus.map((g: SmiGpu) => [g.uuid, g.index]));
  const computeApps = apps.map((a) => ({ ...a, gpuIndex: uuidToIndex.get(a.gpuUuid) ?? null }));

  let mig = NO_MIG;
  if (gpus.some((g) => g.migMode.current === "Enabled")) {
    const text = (t: string) => t;
    const texts: MigTexts = {
      gpuInstances: await step(SMI_ARGS.gpuInstances, text, true),
      computeInstances: await step(SMI_ARGS.computeInstances, text, true),
      list: await step(SMI_ARGS.list, text),
      profiles: await step(SMI_ARGS.migProfiles, text, true),
    };
    const layout = readMigLayout(texts, gpus);
    mig = layout.mig;
    problems.push(...layout.problems);
  }

  return {
    source: "nvidia-smi",
    ...driverOf(details),
    gpus,
    ...(topology && { topology }),
    mig,
    computeApps,
    problems,
  };
}

function driverOf(details: SmiLog | undefined) {
  return { driverVersion: details?.driverVersion ?? null, cudaVersion: details?.cudaVersion ?? null };
}

async function fromSysfsOnly(paths: HostPaths, problems: string[]): Promise<GpuDiscovery> {
  const base = { driverVersion: null, cudaVersion: null, mig: NO_MIG, computeApps: [] };
  try {
    const gpus = await inventoryFromSysfs(paths);
    problems.push(`inventory from sysfs only: ${gpus.length} NVIDIA GPU(s); no UUIDs, models, memory, MIG, processes or NVLink`);
    return { source: "sysfs", ...base, gpus, problems };
  } catch (err) {
    problems.push(`sysfs: cannot list PCI devices: ${message(err)}`);
    return { source: "none", ...base, gpus: [], problems };
  }
}

/**
 * The NodeReport topology from `topo -m` and the inventory. sysfs `local_cpulist` goes into the
 * inventory so it wins over topo's affinity (cut down to nvidia-smi's cpuset: della fixture). The NUMA
 * distance table is added when sysfs has one that covers the GPUs' nodes; otherwise the report is built
 * without it (scoring then treats different nodes as different sockets).
 */
async function discoverTopology(
  paths: HostPaths,
  gpus: readonly DiscoveredGpu[],
  topoText: string | undefined,
  problems: string[],
): Promise<TopologyReport | undefined> {
  if (topoText === undefined) return undefined;
  let matrix;
  try {
    matrix = parseTopoMatrix(topoText);
  } catch (err) {
    problems.push(`nvidia-smi topo -m: ${message(err)}`);
    return undefined;
  }
  const inventory: GpuInventoryEntry[] = gpus.map((g) => ({
    index: g.index,
    busId: g.busId,
    ...(g.uuid !== null && { uuid: g.uuid }),
    ...(g.model !== null && { model: g.model }),
    ...(g.memoryTotalMiB !== null && { memoryMiB: g.memoryTotalMiB }),
    ...(g.localCpuList !== null && { localCpuList: g.localCpuList }),
    numaNode: g.numaNode,
  }));
  let numaNodes;
  try {
    numaNodes = await readNumaDistances(paths);
  } catch (err) {
    problems.push(`sysfs NUMA distances: ${message(err)}`);
  }
  try {
    if (numaNodes !== undefined) {
      try {
        return topologyReportFromMatrix(matrix, inventory, { numaNodes });
      } catch (err) {
        problems.push(`topology without NUMA distances: ${message(err)}`);
      }
    }
    return topologyReportFromMatrix(matrix, inventory);
  } catch (err) {
    problems.push(`topology: ${message(err)}`);
    return undefined;
  }
}

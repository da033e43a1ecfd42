import { normaliseBusId } from "../topology/index.js";
import { GpuTextError } from "./errors.js";
import { type MigMode, readMigMode } from "./migMode.js";
import { integerCell, parseQueryCsv, type QueryCsvRow, requiredCell } from "./queryCsv.js";

/** The agent's `--query-gpu` field list (spec §2.1), in the order the parser expects. */
export const GPU_QUERY_FIELDS = [
  "index",
  "uuid",
  "name",
  "pci.bus_id",
  "memory.total",
  "memory.used",
  "utilization.gpu",
  "mig.mode.current",
] as const;

/** One GPU as `nvidia-smi --query-gpu=<GPU_QUERY_FIELDS>` describes it. */
export interface SmiGpu {
  readonly index: number;
  readonly uuid: string;
  /** Product name, e.g. `NVIDIA H100 80GB HBM3`. */
  readonly name: string | null;
  /** sysfs spelling (`0000:18:00.0`), so it joins with `/sys/bus/pci/devices`. */
  readonly busId: string;
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
  /** Null on MIG-enabled GPUs, where the driver reports no whole-GPU utilization. */
  readonly utilizationGpuPercent: number | null;
  /** Null on GPUs without MIG support. */
  readonly migMode: MigMode | null;
}

/**
 * Reads `nvidia-smi --query-gpu=index,uuid,name,pci.bus_id,memory.total,memory.used,utilization.gpu,
 * mig.mode.current --format=csv[,noheader][,nounits]`. index, uuid and pci.bus_id are required (the
 * agent joins on them); the rest may be `[N/A]`. Throws GpuTextError naming the line and field.
 */
export function parseGpuQuery(text: string): SmiGpu[] {
  const seen = new Set<number>();
  return parseQueryCsv(text, GPU_QUERY_FIELDS).map((row) => {
    const gpu = readGpu(row);
    if (seen.has(gpu.index)) throw new GpuTextError(row.line, "index", `GPU ${gpu.index} listed twice`);
    seen.add(gpu.index);
    return gpu;
  });
}

function readGpu(row: QueryCsvRow): SmiGpu {
  const index = integerCell(row, "index", null);
  if (index === null) throw new GpuTextError(row.line, "index", "no value");
  const rawBus = requiredCell(row, "pci.bus_id");
  let busId: string;
  try {
    busId = normaliseBusId(rawBus);
  } catch {
    throw new GpuTextError(row.line, "pci.bus_id", `"${rawBus}" is not a PCI bus id (domain:bus:device.function)`);
  }
  const mig = readMigMode(row.cells["mig.mode.current"] ?? null);
  if (mig === undefined) throw new GpuTextError(row.line, "mig.mode.current", `"${row.cells["mig.mode.current"]}" is not Enabled or Disabled`);
  return {
    index,
    uuid: requiredCell(row, "uuid"),
    name: row.cells.name ?? null,
    busId,
    memoryTotalMiB: integerCell(row, "memory.total", "MiB"),
    memoryUsedMiB: integerCell(row, "memory.used", "MiB"),
    utilizationGpuPercent: integerCell(row, "utilization.gpu", "%"),
    migMode: mig,
  };
}

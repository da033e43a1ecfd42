import { GpuTextError } from "./errors.js";
import { integerCell, parseQueryCsv, requiredCell } from "./queryCsv.js";

export const COMPUTE_APPS_FIELDS = ["pid", "gpu_uuid", "used_memory"] as const;

/** A process holding a CUDA context, as `--query-compute-apps` lists it. */
export interface ComputeApp {
  /** Host PID (the agent runs with hostPID to map it to `/proc/<pid>/cgroup`). */
  readonly pid: number;
  readonly gpuUuid: string;
  /** Null where the driver does not account per-process memory (`[N/A]`, seen under MIG). */
  readonly usedMemoryMiB: number | null;
}

/**
 * nvidia-smi prints this instead of an empty list on some drivers; with `noheader` newer ones print
 * nothing at all. Both mean "no compute processes", which Tier 2 relies on before touching MIG.
 */
const NO_PROCESSES = /^\s*No running (compute )?processes found\s*$/i;

/**
 * Reads `nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv[,noheader][,nounits]`.
 * No fixture from a real GPU exists yet (spec §2.1 gives the format); the tests use constructed text.
 */
export function parseComputeApps(text: string): ComputeApp[] {
  const kept = text
    .split(/\r?\n/)
    .map((l) => (NO_PROCESSES.test(l) ? "" : l))
    .join("\n");
  return parseQueryCsv(kept, COMPUTE_APPS_FIELDS).map((row) => {
    const pid = integerCell(row, "pid", null);
    if (pid === null || pid === 0) throw new GpuTextError(row.line, "pid", "no process id");
    return { pid, gpuUuid: requiredCell(row, "gpu_uuid"), usedMemoryMiB: integerCell(row, "used_memory", "MiB") };
  });
}

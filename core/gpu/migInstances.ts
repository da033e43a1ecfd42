import { GpuTextError } from "./errors.js";
import { boxedTableRows } from "./migTable.js";

/** `start:size` in memory slices (8 per GPU); null where an older driver prints no Placement column. */
export interface MigPlacement {
  readonly start: number;
  readonly size: number;
}

/** A GPU instance, from `nvidia-smi mig -lgi`. */
export interface MigGpuInstance {
  readonly gpu: number;
  /** Without the `MIG ` prefix: `1g.10gb`. */
  readonly profile: string;
  readonly profileId: number;
  /** GI id; assigned by the driver, not in placement order (13, 11, 12, 7, … in the cgi fixture). */
  readonly gpuInstanceId: number;
  readonly placement: MigPlacement | null;
}

/** A compute instance inside a GPU instance, from `nvidia-smi mig -lci`. */
export interface MigComputeInstance {
  readonly gpu: number;
  readonly gpuInstanceId: number;
  /** `1g.10gb` for a GI's default CI; `1c.3g.40gb` and the like for sub-divided GIs. */
  readonly profile: string;
  readonly profileId: number;
  readonly computeInstanceId: number;
  readonly placement: MigPlacement | null;
}

// `|   0  MIG 1g.10gb         19        7          0:1     |` → gpu, profile, profile id, GI id, placement
const GI_ROW = /^(\d+)\s+MIG\s+(\S+)\s+(\d+)\s+(\d+)(?:\s+(\d+):(\d+))?$/;
// `|   0      7       MIG 1g.10gb          0         0          0:1     |` → gpu, GI id, profile, CI profile id, CI id, placement
const CI_ROW = /^(\d+)\s+(\d+)\s+MIG\s+(\S+)\s+(\d+)\s+(\d+)(?:\s+(\d+):(\d+))?$/;

function placement(start: string | undefined, size: string | undefined): MigPlacement | null {
  return start === undefined || size === undefined ? null : { start: Number(start), size: Number(size) };
}

/** Reads `nvidia-smi mig -lgi`; "No GPU instances found" is an empty list. */
export function parseMigGpuInstances(text: string): MigGpuInstance[] {
  return boxedTableRows(text, "mig -lgi").map((row) => {
    const m = GI_ROW.exec(row.cells);
    if (!m) throw new GpuTextError(row.line, "mig -lgi", `"${row.cells}" is not a GPU instance row`);
    return { gpu: Number(m[1]), profile: m[2] ?? "", profileId: Number(m[3]), gpuInstanceId: Number(m[4]), placement: placement(m[5], m[6]) };
  });
}

/** Reads `nvidia-smi mig -lci`; "No compute instances found" is an empty list. */
export function parseMigComputeInstances(text: string): MigComputeInstance[] {
  return boxedTableRows(text, "mig -lci").map((row) => {
    const m = CI_ROW.exec(row.cells);
    if (!m) throw new GpuTextError(row.line, "mig -lci", `"${row.cells}" is not a compute instance row`);
    return {
      gpu: Number(m[1]),
      gpuInstanceId: Number(m[2]),
      profile: m[3] ?? "",
      profileId: Number(m[4]),
      computeInstanceId: Number(m[5]),
      placement: placement(m[6], m[7]),
    };
  });
}

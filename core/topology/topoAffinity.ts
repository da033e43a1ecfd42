import { TopoParseError } from "./errors.js";
import type { SplitLine } from "./topoCells.js";

/** The per-row columns nvidia-smi prints after the device columns (which ones depends on the driver). */
export type AffinityColumn = "CPU Affinity" | "NUMA Affinity" | "GPU NUMA ID";

/** Raw text of a row's affinity cells; a column the header lacks is undefined, an empty cell "". */
export interface AffinityCells {
  readonly cpuAffinity?: string;
  readonly numaAffinity?: string;
  readonly gpuNumaId?: string;
}

/**
 * Assigns the cells after a row's links to the header's trailing columns (`null` for a column name this
 * parser does not know; it keeps its place but is not read).
 *
 * TAB rows keep empty cells, but nvidia-smi puts one more cell before `GPU NUMA ID` than the header has
 * (`0-55,112-167\t0\t\tN/A`, XD670 and della fixtures). So columns are filled in order, except that
 * `GPU NUMA ID` takes the last non-empty cell from its position on.
 *
 * Rows that fell back to whitespace words have lost their empty cells; values are taken in order only
 * when there is one per column (or none, as on NIC rows), since otherwise there is no telling which
 * column is the empty one.
 */
export function readAffinityCells(
  row: SplitLine,
  cells: readonly string[],
  columns: readonly (AffinityColumn | null)[],
  lineNo: number,
): AffinityCells {
  const values = new Map<AffinityColumn, string>();
  if (row.style === "tabs") {
    columns.forEach((name, i) => {
      if (name === "GPU NUMA ID") {
        const rest = cells.slice(i).filter((c) => c !== "");
        values.set(name, rest[rest.length - 1] ?? "");
      } else if (name) values.set(name, cells[i] ?? "");
    });
  } else {
    if (cells.length !== 0 && cells.length !== columns.length) {
      throw new TopoParseError(
        lineNo,
        `cannot tell which of ${columns.length} affinity columns each of ${cells.length} values belongs to (no TAB layout)`,
      );
    }
    columns.forEach((name, i) => {
      if (name) values.set(name, cells[i] ?? "");
    });
  }
  const cpuAffinity = values.get("CPU Affinity");
  const numaAffinity = values.get("NUMA Affinity");
  const gpuNumaId = values.get("GPU NUMA ID");
  return {
    ...(cpuAffinity !== undefined && { cpuAffinity }),
    ...(numaAffinity !== undefined && { numaAffinity }),
    ...(gpuNumaId !== undefined && { gpuNumaId }),
  };
}

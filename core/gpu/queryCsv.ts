import { GpuTextError } from "./errors.js";

/**
 * What nvidia-smi prints for a value it cannot give: `[N/A]` (not applicable, e.g. utilization on a
 * MIG-enabled GPU or mig.mode on an RTX, nvtop#470), bare `N/A` (the `-q -x` spelling, also seen in CSV
 * from older drivers), `[Not Supported]` and `[Unknown Error]`. All read as null.
 */
const NOT_AVAILABLE = new Set(["[N/A]", "N/A", "[Not Supported]", "[Unknown Error]"]);

/** One data line of `--format=csv`: each requested field's cell, null where nvidia-smi had no value. */
export interface QueryCsvRow {
  /** 1-based line in the text, for errors about this row. */
  readonly line: number;
  readonly cells: Readonly<Record<string, string | null>>;
}

/** `memory.total [MiB]` → `memory.total`: the header carries units even with `nounits`. */
function headerName(cell: string): string {
  return cell.replace(/\s*\[[^\]]*\]$/, "");
}

/**
 * Reads `nvidia-smi --query-…=<fields> --format=csv[,noheader][,nounits]`. `fields` is the query's field
 * list in order; a header line, when present, must name exactly those. Cells are split on `,` and
 * trimmed: nvidia-smi never quotes, and no GPU name, UUID or bus id contains a comma. Values keep their
 * units (`81559 MiB`) for the typed readers to strip. Blank lines are skipped.
 */
export function parseQueryCsv(text: string, fields: readonly string[]): QueryCsvRow[] {
  const rows: QueryCsvRow[] = [];
  let first = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "") return;
    const cells = raw.split(",").map((c) => c.trim());
    if (first) {
      first = false;
      if (headerName(cells[0] ?? "") === fields[0]) {
        cells.forEach((c, k) => {
          if (headerName(c) === fields[k]) return;
          throw new GpuTextError(line, undefined, `header column ${k + 1} is "${c}", expected "${fields[k] ?? "(none)"}"`);
        });
        if (cells.length !== fields.length) throw new GpuTextError(line, undefined, `header has ${cells.length} columns, expected ${fields.length}`);
        return;
      }
    }
    if (cells.length !== fields.length) {
      throw new GpuTextError(line, undefined, `expected ${fields.length} comma-separated fields (${fields.join(", ")}), found ${cells.length}`);
    }
    const record: Record<string, string | null> = {};
    fields.forEach((f, k) => {
      const cell = cells[k] ?? "";
      record[f] = NOT_AVAILABLE.has(cell) ? null : cell;
    });
    rows.push({ line, cells: record });
  });
  return rows;
}

/** Whether a cell is one of nvidia-smi's "no value" spellings (also used for `-q -x` text). */
export function isNotAvailable(text: string): boolean {
  return NOT_AVAILABLE.has(text.trim());
}

/** The cell of `field`; throws when nvidia-smi gave no value for a field the agent cannot do without. */
export function requiredCell(row: QueryCsvRow, field: string): string {
  const v = row.cells[field];
  if (v === undefined || v === null || v === "") throw new GpuTextError(row.line, field, "no value");
  return v;
}

/**
 * A non-negative integer, with or without the unit nvidia-smi appends when `nounits` is absent
 * (`81559 MiB`, `97 %`). Null stays null.
 */
export function integerCell(row: QueryCsvRow, field: string, unit: string | null): number | null {
  const v = row.cells[field];
  if (v === undefined || v === null) return null;
  const m = /^(\d+)(?:\s*(\S+))?$/.exec(v);
  if (!m || (m[2] !== undefined && m[2] !== unit)) {
    throw new GpuTextError(row.line, field, `"${v}" is not a whole number${unit === null ? "" : ` of ${unit}`}`);
  }
  return Number(m[1]);
}

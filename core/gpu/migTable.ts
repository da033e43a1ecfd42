import { GpuTextError } from "./errors.js";

/** A data line of one of nvidia-smi's boxed tables: `|   0  MIG 1g.10gb   19   7   0:1   |`. */
export interface TableRow {
  /** 1-based line in the text. */
  readonly line: number;
  /** The text between the outer bars, trimmed. */
  readonly cells: string;
}

/**
 * What `nvidia-smi mig -lgi/-lci` print instead of a table when there is nothing to list: `No GPU
 * instances found: Not Found`, `No compute instances found: …`, `No MIG-enabled devices found.`
 */
const NOTHING_FOUND = /^No .*\bfound\b/i;

/**
 * The data rows of a `nvidia-smi mig -l…` table: every `|…|` line after the `|===|` rule, without the
 * `+---+` separators. A text holding only a "No … found" message is an empty table; anything else
 * without a rule, or a line inside the table that is neither a row nor a separator, throws GpuTextError.
 */
export function boxedTableRows(text: string, table: string): TableRow[] {
  const lines = text.split(/\r?\n/);
  const rule = lines.findIndex((l) => /^\|=+\|\s*$/.test(l));
  if (rule < 0) {
    const said = lines.map((l) => l.trim()).filter((l) => l !== "");
    if (said.every((l) => NOTHING_FOUND.test(l))) return [];
    throw new GpuTextError(1, table, `no table and no "No … found" message: "${said[0] ?? ""}"`);
  }
  const rows: TableRow[] = [];
  for (let i = rule + 1; i < lines.length; i++) {
    const l = (lines[i] ?? "").trimEnd();
    if (l === "" || /^\+-+\+$/.test(l)) continue;
    const m = /^\|(.*)\|$/.exec(l);
    if (!m) throw new GpuTextError(i + 1, table, `"${l}" is not a table row`);
    rows.push({ line: i + 1, cells: (m[1] ?? "").trim() });
  }
  return rows;
}

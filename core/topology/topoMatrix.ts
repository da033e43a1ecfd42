import { type CpuRange, expandCpuList, parseCpuList } from "./cpuList.js";
import { CpuListError, TopoParseError, TopologyInputError } from "./errors.js";
import { LINK_TOKEN, type Link, parseLinkToken } from "./linkClass.js";
import { type AffinityColumn, type AffinityCells, readAffinityCells } from "./topoAffinity.js";
import { splitHeader, splitRow } from "./topoCells.js";

export interface TopoGpu {
  /** From the label: `GPU3` → 3 (nvidia-smi's index, the one `--query-gpu index` prints). */
  readonly index: number;
  readonly label: string;
  /** `[]` when the cell is empty (nvidia-smi inside a restricted cpuset prints nothing; della fixture). */
  readonly cpuAffinity: readonly CpuRange[];
  /** NUMA node ids; `null` for `N/A`, an empty cell or no such column. A VM may print a range (`0-3`). */
  readonly numaAffinity: readonly number[] | null;
  /** The GPU's own NUMA node (C2C / Grace parts); `null` for `N/A` and older drivers without the column. */
  readonly gpuNumaId: number | null;
}

export interface TopoNic {
  /** Column label: `NIC0` (newer drivers) or the device name itself (`mlx5_0`, older drivers). */
  readonly label: string;
  /** Device name from the `NIC Legend:` block, or the label when that is already a name; null if unknown. */
  readonly name: string | null;
}

/** What `nvidia-smi topo -m` says, typed. Every device appears once as a column and once as a row. */
export interface TopoMatrix {
  /** Column labels in header order (GPUs, then NICs, as nvidia-smi prints them). */
  readonly devices: readonly string[];
  readonly gpus: readonly TopoGpu[];
  readonly nics: readonly TopoNic[];
  /** `links[r][c]`: link from device r to device c, both in `devices` order; `self` on the diagonal. */
  readonly links: readonly (readonly Link[])[];
  /** The affinity columns the header had, in order. */
  readonly affinityColumns: readonly AffinityColumn[];
}

const GPU_LABEL = /^GPU(\d+)$/;
const NIC_LEGEND_ENTRY = /^\s*(\S+)\s*:\s*(\S+)\s*$/;

/**
 * Parses the text of `nvidia-smi topo -m` (tabs or tab-expanded, with or without NIC columns and the NIC
 * legend, any subset of the affinity columns). Pure: the same text gives the same matrix. Throws
 * TopoParseError naming the 1-based line and the problem for anything that would leave the matrix
 * incomplete or inconsistent (a missing or extra row, a short row, an empty or malformed cell, a
 * diagonal that is not X, an asymmetric pair). The `Legend:` block is not read: its meaning is fixed.
 */
export function parseTopoMatrix(text: string): TopoMatrix {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== "");
  if (headerAt < 0) throw new TopoParseError(1, "no header row: the text is empty");
  const header = readHeader(lines[headerAt] ?? "", headerAt + 1);
  const n = header.devices.length;

  const rows = new Map<number, { line: number; links: Link[]; affinity: AffinityCells }>();
  let end = headerAt + 1;
  for (; end < lines.length; end++) {
    const line = lines[end] ?? "";
    if (line.trim() === "" || /^\s*Legend:/.test(line)) break;
    const lineNo = end + 1;
    const split = splitRow(line);
    const label = split.cells[0] ?? "";
    const row = header.devices.indexOf(label);
    if (row < 0) throw new TopoParseError(lineNo, `row "${label}" is not a column of the header (line ${headerAt + 1})`);
    if (rows.has(row)) throw new TopoParseError(lineNo, `row "${label}" appears twice (first on line ${rows.get(row)?.line})`);
    const linkCells = split.cells.slice(1, 1 + n);
    if (linkCells.length < n) {
      throw new TopoParseError(lineNo, `row "${label}" has ${linkCells.length} link cells, the header has ${n} devices`);
    }
    const links = linkCells.map((cell, col) => readLink(cell, label, header.devices[col] ?? "", row === col, lineNo));
    const affinity = readAffinityCells(split, split.cells.slice(1 + n), header.affinity, lineNo);
    rows.set(row, { line: lineNo, links, affinity });
  }

  const matrix: Link[][] = [];
  for (let r = 0; r < n; r++) {
    const row = rows.get(r);
    if (!row) throw new TopoParseError(headerAt + 1, `device "${header.devices[r]}" has a column but no row`);
    matrix.push(row.links);
  }
  checkSymmetric(matrix, header.devices, (r) => rows.get(r)?.line ?? 0);

  const legend = readNicLegend(lines, end, header.devices);
  const gpus: TopoGpu[] = [];
  const nics: TopoNic[] = [];
  header.devices.forEach((label, col) => {
    const gpu = GPU_LABEL.exec(label);
    const row = rows.get(col);
    if (gpu && row) gpus.push(readGpu(label, Number(gpu[1]), row.affinity, row.line));
    else nics.push({ label, name: legend.get(label) ?? (/^NIC\d+$/.test(label) ? null : label) });
  });
  return { devices: header.devices, gpus, nics, links: matrix, affinityColumns: header.affinity.flatMap((c) => (c ? [c] : [])) };
}

/** The link between two devices named by their labels (`GPU0`, `NIC3`, `mlx5_2`). */
export function linkBetween(m: TopoMatrix, from: string, to: string): Link {
  const r = m.devices.indexOf(from);
  const c = m.devices.indexOf(to);
  if (r < 0) throw new TopologyInputError("from", `no device "${from}" in the matrix`);
  if (c < 0) throw new TopologyInputError("to", `no device "${to}" in the matrix`);
  const link = m.links[r]?.[c];
  if (!link) throw new TopologyInputError("links", `no cell for ${from} → ${to}`);
  return link;
}

interface Header {
  readonly devices: string[];
  readonly affinity: (AffinityColumn | null)[];
}

const AFFINITY_COLUMNS: ReadonlySet<string> = new Set<AffinityColumn>(["CPU Affinity", "NUMA Affinity", "GPU NUMA ID"]);

function readHeader(line: string, lineNo: number): Header {
  const split = splitHeader(line);
  // Device labels are single words; the first cell with a space (or a known name) starts the affinity part.
  const firstTrailing = split.cells.findIndex((c) => AFFINITY_COLUMNS.has(c) || /\s/.test(c) || c === "");
  const devices = firstTrailing < 0 ? [...split.cells] : split.cells.slice(0, firstTrailing);
  const trailing = firstTrailing < 0 ? [] : split.cells.slice(firstTrailing).filter((c) => c !== "");
  if (!devices.some((d) => GPU_LABEL.test(d))) {
    throw new TopoParseError(lineNo, `expected the header row naming GPU0…, found "${line.trim().slice(0, 60)}"`);
  }
  const seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d)) throw new TopoParseError(lineNo, `header names "${d}" twice`);
    seen.add(d);
  }
  return {
    devices,
    // Unknown trailing columns keep their place (so values still align) but are not read.
    affinity: trailing.map((c) => (AFFINITY_COLUMNS.has(c) ? (c as AffinityColumn) : null)),
  };
}

function readLink(cell: string, from: string, to: string, diagonal: boolean, lineNo: number): Link {
  if (cell === "") throw new TopoParseError(lineNo, `${from} → ${to}: empty link cell`);
  if (!LINK_TOKEN.test(cell)) throw new TopoParseError(lineNo, `${from} → ${to}: "${cell}" is not a link class`);
  const link = parseLinkToken(cell);
  if (diagonal && link.kind !== "self") throw new TopoParseError(lineNo, `${from} → itself: expected X, found "${cell}"`);
  if (!diagonal && link.kind === "self") throw new TopoParseError(lineNo, `${from} → ${to}: X (self) off the diagonal`);
  return link;
}

function checkSymmetric(links: Link[][], devices: readonly string[], lineOf: (row: number) => number): void {
  for (let r = 0; r < links.length; r++) {
    for (let c = 0; c < r; c++) {
      const here = links[r]?.[c]?.token;
      const there = links[c]?.[r]?.token;
      if (here !== there) {
        throw new TopoParseError(
          lineOf(r),
          `${devices[r]} → ${devices[c]} is ${here} but ${devices[c]} → ${devices[r]} is ${there} (line ${lineOf(c)})`,
        );
      }
    }
  }
}

function readGpu(label: string, index: number, cells: AffinityCells, lineNo: number): TopoGpu {
  let cpuAffinity: CpuRange[];
  let numaAffinity: number[] | null = null;
  try {
    cpuAffinity = parseCpuList(cells.cpuAffinity ?? "");
  } catch (err) {
    throw new TopoParseError(lineNo, `${label} CPU Affinity: ${err instanceof CpuListError ? err.message : String(err)}`);
  }
  const numa = cells.numaAffinity ?? "";
  if (numa !== "" && numa !== "N/A") {
    try {
      numaAffinity = expandCpuList(parseCpuList(numa));
    } catch (err) {
      throw new TopoParseError(lineNo, `${label} NUMA Affinity: ${err instanceof CpuListError ? err.message : String(err)}`);
    }
  }
  const own = cells.gpuNumaId ?? "";
  if (own !== "" && own !== "N/A" && !/^\d+$/.test(own)) {
    throw new TopoParseError(lineNo, `${label} GPU NUMA ID: "${own}" is neither a node id nor N/A`);
  }
  const gpuNumaId = own === "" || own === "N/A" ? null : Number(own);
  return { index, label, cpuAffinity, numaAffinity, gpuNumaId };
}

/** `NIC Legend:` then `  NIC0: mlx5_0` lines; only drivers that label columns NICn print it. */
function readNicLegend(lines: readonly string[], from: number, devices: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const at = lines.findIndex((l, i) => i >= from && /^\s*NIC Legend:\s*$/.test(l));
  if (at < 0) return names;
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const m = NIC_LEGEND_ENTRY.exec(line);
    if (!m) break;
    const [, label = "", name = ""] = m;
    if (!devices.includes(label) || GPU_LABEL.test(label)) {
      throw new TopoParseError(i + 1, `NIC Legend names "${label}", which is not a NIC column of the header`);
    }
    names.set(label, name);
  }
  return names;
}

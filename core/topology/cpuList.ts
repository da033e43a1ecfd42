import { CpuListError } from "./errors.js";

/** One inclusive run of ids in a cpulist: `112-167` is { first: 112, last: 167 }. */
export interface CpuRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Far above any kernel's NR_CPUS (8192 is the x86-64 maximum) and NUMA node count; a larger id means the
 * text is not a cpulist, and it keeps `expandCpuList` from allocating without bound.
 */
export const MAX_CPU_ID = 65_535;

const PART = /^(\d+)(?:-(\d+))?$/;

/**
 * Parses the kernel's list format (`/sys/.../local_cpulist`, `nvidia-smi topo -m` CPU Affinity, node
 * ids such as `0-3`): comma-separated ids or inclusive ranges. Returns ranges sorted and merged, so
 * `8-11,0-3,4-7` and `0-11` come out equal. An empty (or blank) text is an empty list: nvidia-smi prints
 * an empty affinity inside a restricted cpuset (della fixture). The stride form `0-31:2` is accepted by
 * some kernel parameters but never printed by sysfs, so it is rejected.
 */
export function parseCpuList(text: string): CpuRange[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const ranges: CpuRange[] = [];
  for (const raw of trimmed.split(",")) {
    const part = raw.trim();
    const m = PART.exec(part);
    if (!m) throw new CpuListError(`"${part}" in cpulist "${trimmed}" is not an id or a range a-b`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (first > MAX_CPU_ID || last > MAX_CPU_ID) throw new CpuListError(`"${part}" exceeds the largest id ${MAX_CPU_ID}`);
    if (last < first) throw new CpuListError(`range "${part}" runs backwards`);
    ranges.push({ first, last });
  }
  ranges.sort((a, b) => a.first - b.first || a.last - b.last);
  const merged: CpuRange[] = [];
  for (const r of ranges) {
    const prev = merged[merged.length - 1];
    if (prev && r.first <= prev.last + 1) merged[merged.length - 1] = { first: prev.first, last: Math.max(prev.last, r.last) };
    else merged.push(r);
  }
  return merged;
}

/** The kernel's spelling of a range list (`0-55,112-167`); `""` for none. */
export function formatCpuList(ranges: readonly CpuRange[]): string {
  return ranges.map((r) => (r.first === r.last ? `${r.first}` : `${r.first}-${r.last}`)).join(",");
}

/** How many ids the list holds. */
export function cpuCount(ranges: readonly CpuRange[]): number {
  return ranges.reduce((n, r) => n + r.last - r.first + 1, 0);
}

/** Every id, ascending (for short lists such as NUMA node ids). */
export function expandCpuList(ranges: readonly CpuRange[]): number[] {
  const ids: number[] = [];
  for (const r of ranges) for (let id = r.first; id <= r.last; id++) ids.push(id);
  return ids;
}

/**
 * The `io.max` file of cgroup v2: one line per block device, `MAJ:MIN rbps=N wbps=N riops=N wiops=N`,
 * `max` = no limit. A write sets any subset of the keys of one device; a device whose four keys are all
 * `max` has no line. The kernel parses one line per write(2).
 */

export const IO_KEYS = ["rbps", "wbps", "riops", "wiops"] as const;
export type IoKey = (typeof IO_KEYS)[number];
export type IoValue = number | "max";

export interface IoMaxLine {
  readonly device: string;
  readonly limits: Readonly<Record<IoKey, IoValue>>;
}

export const DEVICE = /^\d+:\d+$/;

const ALL_MAX: Readonly<Record<IoKey, IoValue>> = { rbps: "max", wbps: "max", riops: "max", wiops: "max" };

/** One written or read line: the device and the keys it names (others absent). */
export function parseIoMaxWrite(line: string): { device: string; set: Partial<Record<IoKey, IoValue>> } | undefined {
  const [device, ...pairs] = line.trim().split(/\s+/);
  if (device === undefined || !DEVICE.test(device)) return undefined;
  const set: Partial<Record<IoKey, IoValue>> = {};
  for (const pair of pairs) {
    const m = /^(rbps|wbps|riops|wiops)=(max|\d+)$/.exec(pair);
    if (m === null) return undefined;
    set[m[1] as IoKey] = m[2] === "max" ? "max" : Number(m[2]);
  }
  return { device, set };
}

/** The file's lines in order; lines that do not parse are skipped (callers compare whole strings anyway). */
export function parseIoMax(text: string): IoMaxLine[] {
  const out: IoMaxLine[] = [];
  for (const raw of text.split("\n")) {
    if (raw.trim() === "") continue;
    const parsed = parseIoMaxWrite(raw);
    if (parsed !== undefined) out.push({ device: parsed.device, limits: { ...ALL_MAX, ...parsed.set } });
  }
  return out;
}

/** A device line in the kernel's read-back form, all four keys. */
export function formatIoMaxLine(l: IoMaxLine): string {
  return `${l.device} ${IO_KEYS.map((k) => `${k}=${l.limits[k]}`).join(" ")}`;
}

/** The line that removes every limit of a device. */
export function unlimitedLine(device: string): string {
  return formatIoMaxLine({ device, limits: ALL_MAX });
}

/** What the kernel makes of `current` after one written line (used by the emulated file backend). */
export function applyIoMaxWrite(current: string, written: string): string | undefined {
  const w = parseIoMaxWrite(written);
  if (w === undefined) return undefined;
  const lines = parseIoMax(current);
  const at = lines.findIndex((l) => l.device === w.device);
  const merged: IoMaxLine = { device: w.device, limits: { ...(at >= 0 ? lines[at]!.limits : ALL_MAX), ...w.set } };
  const unlimited = IO_KEYS.every((k) => merged.limits[k] === "max");
  if (at >= 0) {
    if (unlimited) lines.splice(at, 1);
    else lines[at] = merged;
  } else if (!unlimited) lines.push(merged);
  return lines.map((l) => `${formatIoMaxLine(l)}\n`).join("");
}

/**
 * Lines that take `current` back to `original`, one write each: a device we limited that had no line
 * gets every key set to max; a device whose line differs gets its original line back.
 */
export function ioMaxRestoreLines(current: string, original: string): string[] {
  const before = new Map(parseIoMax(original).map((l) => [l.device, formatIoMaxLine(l)]));
  const now = parseIoMax(current);
  const out: string[] = [];
  for (const l of now) {
    const want = before.get(l.device);
    if (want === undefined) out.push(unlimitedLine(l.device));
    else if (want !== formatIoMaxLine(l)) out.push(want);
  }
  const present = new Set(now.map((l) => l.device));
  for (const [device, line] of before) if (!present.has(device)) out.push(line);
  return out;
}

import { GpuTextError } from "./errors.js";

/*
 * The contents of the sysfs files the agent reads when nvidia-smi is absent or to learn what topo -m
 * cannot say (spec §4.1). Each parser takes the file's text; `file` names it in errors.
 */

export const NVIDIA_VENDOR_ID = 0x10de;

/** `vendor`, `device` (`0x%04x`) and `class` (`0x%06x`) files. */
export function parseSysfsHex(text: string, file: string): number {
  const t = text.trim();
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(t)) throw new GpuTextError(1, file, `"${t}" is not a 0x-prefixed hex number`);
  return Number.parseInt(t.slice(2), 16);
}

/** `numa_node` (`%d`): `-1` when the platform gives none (VMs, single-node boards) reads as null. */
export function parseSysfsNumaNode(text: string, file: string): number | null {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new GpuTextError(1, file, `"${t}" is not a NUMA node id`);
  const n = Number(t);
  if (n < -1) throw new GpuTextError(1, file, `"${t}" is not a NUMA node id`);
  return n === -1 ? null : n;
}

/**
 * Whether a PCI function is an NVIDIA GPU: vendor 0x10de with class 0x0302 (3D controller: A100, H100)
 * or 0x0300 (VGA: RTX, L40S-class). Leaves out the audio functions (0x0403) of consumer cards and the
 * NVSwitch / bridge functions (0x0680, 0x0604) Grace and Blackwell systems show.
 */
export function isNvidiaGpuFunction(vendor: number, pciClass: number): boolean {
  const base = pciClass >> 8;
  return vendor === NVIDIA_VENDOR_ID && (base === 0x0302 || base === 0x0300);
}

/** `/sys/devices/system/node/nodeN/distance`: SLIT distances, one per online node (`10 21`). */
export function parseNumaDistanceRow(text: string, file: string): number[] {
  const t = text.trim();
  if (!/^\d+(?:\s+\d+)*$/.test(t)) throw new GpuTextError(1, file, `"${t}" is not a row of distances`);
  return t.split(/\s+/).map(Number);
}

import type { ThrottlePolicy } from "./throttlePolicy.js";

export const MIB = 1024 * 1024;
/** cgroup v2 `cpu.max` period the kubelet and the kernel default to. */
export const DEFAULT_CPU_PERIOD_US = 100_000;
/** The kernel refuses a cpu.max quota below 1 ms. */
export const MIN_CPU_QUOTA_US = 1_000;

/**
 * Share of the ceiling the original Cluster-Helper allowed a neighbour for a victim's severity:
 * 0.5 · max(0.1, 1 − severity). It is the target our steps walk towards.
 */
export function severityShare(severity: number): number {
  return 0.5 * Math.max(0.1, 1 - severity);
}

/**
 * The original's io limit in bytes/s: trunc(maxMiBps · share) MiB, truncated on the MiB value
 * (so severity 0.8 gives 99 MiB/s, not 100: 1 − 0.8 is 0.19999999999999996 in floating point).
 */
export function originalIoLimitBytes(severity: number, maxMiBps: number): number {
  return Math.trunc(maxMiBps * severityShare(severity)) * MIB;
}

/**
 * Next io.max bandwidth (bytes/s, for rbps and wbps) after one step, or the current one when no tighter
 * step is due. `current` undefined = not throttled yet, which steps down from the ceiling. Never below
 * the floor, never looser than `current`, never more than one step below it.
 */
export function nextIoLimitBytes(current: number | undefined, severity: number, p: ThrottlePolicy): number {
  const floor = p.ioFloorMiBps * MIB;
  const from = Math.min(current ?? Number.POSITIVE_INFINITY, p.ioCeilingMiBps * MIB);
  const target = Math.max(floor, originalIoLimitBytes(severity, p.ioCeilingMiBps));
  const stepped = Math.trunc(from * (1 - p.stepFraction));
  return Math.min(from, Math.max(target, stepped, floor));
}

/** A `cpu.max` value: quota µs per period µs; `"max"` = no limit. */
export interface CpuMax {
  readonly quotaUs: number | "max";
  readonly periodUs: number;
}

export function parseCpuMax(text: string): CpuMax | undefined {
  const m = /^\s*(max|\d+)(?:\s+(\d+))?\s*$/.exec(text);
  if (m === null) return undefined;
  const periodUs = m[2] === undefined ? DEFAULT_CPU_PERIOD_US : Number(m[2]);
  return { quotaUs: m[1] === "max" ? "max" : Number(m[1]), periodUs };
}

export function formatCpuMax(c: CpuMax): string {
  return `${c.quotaUs} ${c.periodUs}`;
}

/**
 * Next cpu.max quota (µs per the original period) after one step. The base is the kubelet's own limit
 * (we only ever lower it) or, for an unlimited pod, the whole node. Floor: the policy's millicores,
 * but never above the base (a pod limited below the floor by its owner is left as it is).
 */
export function nextCpuQuotaUs(current: number | undefined, original: CpuMax, nodeCpuCores: number, severity: number, p: ThrottlePolicy): number {
  const base = original.quotaUs === "max" ? nodeCpuCores * original.periodUs : original.quotaUs;
  const floor = Math.min(base, Math.max(MIN_CPU_QUOTA_US, Math.trunc((p.cpuFloorMillicores / 1000) * original.periodUs)));
  const from = Math.min(current ?? base, base);
  const target = Math.max(floor, Math.trunc(base * severityShare(severity)));
  const stepped = Math.trunc(from * (1 - p.stepFraction));
  return Math.min(from, Math.max(target, stepped, floor));
}

/**
 * What a pod reads and writes on block devices: its cgroup's `io.stat` (`MAJ:MIN rbytes=… wbytes=…
 * rios=… wios=… dbytes=… dios=…` per device). Feeds bully selection (who is busy on the victim's NUMA
 * node) and which devices an io.max limit names: only whole disks (`/sys/block/<dev>/dev`) the pod
 * actually used, never a guessed default.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { cgroupFilesFor, type CgroupFiles } from "./cgroupFiles.js";
import { resolvePodCgroup, type CgroupDriver, type PodRef } from "./podCgroup.js";

export interface DeviceIo {
  readonly device: string;
  readonly rbytes: number;
  readonly wbytes: number;
}

export function parseIoStat(text: string): DeviceIo[] {
  const out: DeviceIo[] = [];
  for (const line of text.split("\n")) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    if (device === undefined || !/^\d+:\d+$/.test(device)) continue;
    const values = new Map(pairs.map((p) => p.split("=") as [string, string]));
    const rbytes = Number(values.get("rbytes") ?? "0");
    const wbytes = Number(values.get("wbytes") ?? "0");
    if (Number.isFinite(rbytes) && Number.isFinite(wbytes)) out.push({ device, rbytes, wbytes });
  }
  return out;
}

/** MAJ:MIN of the whole disks (`/sys/block/*\/dev`); partitions are not listed there. */
export function wholeDisks(sysDir: string): Set<string> {
  const disks = new Set<string>();
  const blockDir = path.join(sysDir, "block");
  let names: string[] = [];
  try {
    names = readdirSync(blockDir);
  } catch {
    return disks;
  }
  for (const name of names) {
    try {
      disks.add(readFileSync(path.join(blockDir, name, "dev"), "utf8").trim());
    } catch {
      // a device that went away between the listing and the read
    }
  }
  return disks;
}

/** Reads pods' io.stat through the same path checks as the writes; undefined when not readable. */
export class PodIoReader {
  readonly #files: CgroupFiles;

  constructor(
    private readonly root: string,
    private readonly driver: CgroupDriver,
    files?: CgroupFiles,
  ) {
    this.#files = files ?? cgroupFilesFor(root);
  }

  read(pod: PodRef): DeviceIo[] | undefined {
    try {
      const cg = resolvePodCgroup(this.root, pod, this.driver);
      return parseIoStat(this.#files.read(path.join(cg.dir, "io.stat")));
    } catch {
      return undefined; // no cgroup yet, io controller off, or a path we refuse: no io figure, no target
    }
  }
}

/** Bytes/s per pod between two readings, and the whole disks each pod used in the window. */
export class IoRates {
  readonly #previous = new Map<string, { atMs: number; devices: Map<string, number> }>();

  update(uid: string, devices: readonly DeviceIo[], nowMs: number, disks: ReadonlySet<string>): { bytesPerSec: number | undefined; busyDisks: string[] } {
    const now = new Map(devices.map((d) => [d.device, d.rbytes + d.wbytes]));
    const prev = this.#previous.get(uid);
    this.#previous.set(uid, { atMs: nowMs, devices: now });
    if (prev === undefined || nowMs <= prev.atMs) return { bytesPerSec: undefined, busyDisks: [] };
    let bytes = 0;
    const busy: string[] = [];
    for (const [device, total] of now) {
      const d = total - (prev.devices.get(device) ?? 0);
      if (d <= 0) continue; // a reset (new cgroup) or no traffic
      bytes += d;
      if (disks.has(device)) busy.push(device);
    }
    return { bytesPerSec: bytes / ((nowMs - prev.atMs) / 1000), busyDisks: busy.sort() };
  }

  forget(keep: ReadonlySet<string>): void {
    for (const uid of [...this.#previous.keys()]) if (!keep.has(uid)) this.#previous.delete(uid);
  }
}

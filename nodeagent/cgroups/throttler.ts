import { join } from "node:path";
import type { Logger } from "../../platform/log.js";
import { formatCpuMax, parseCpuMax, type CpuMax } from "../../core/slo/index.js";
import type { Clock } from "../../platform/clock.js";
import { cgroupFilesFor, type CgroupFiles } from "./cgroupFiles.js";
import { requireCgroupV2 } from "./hierarchy.js";
import { DEVICE, ioMaxRestoreLines, parseIoMax } from "./ioMax.js";
import { resolvePodCgroup, reverifyPodCgroup, type CgroupDriver, type PodCgroup, type PodRef } from "./podCgroup.js";
import { CgroupRefusal, isCgroupRefusal } from "./refusal.js";
import type { ThrottledFile, ThrottleRecord, ThrottleRecords } from "./throttleRecords.js";

/** The same read and write bandwidth on each listed whole-disk device (MAJ:MIN from /sys/block). */
export interface IoThrottle {
  readonly devices: readonly string[];
  readonly bytesPerSec: number;
}

export interface PodLimits {
  readonly io?: IoThrottle;
  readonly cpu?: CpuMax;
}

export interface WriteOutcome {
  readonly file: ThrottledFile;
  readonly path: string;
  readonly lines: string[];
  readonly result: "written" | "unchanged" | "dry-run";
}

export interface RestoreOutcome {
  readonly podUid: string;
  readonly file: ThrottledFile;
  readonly result: "restored" | "gone" | "dry-run" | "mismatch" | "refused" | "failed";
}

export interface CgroupThrottlerOptions {
  /** Host cgroup v2 mount (`--cgroup-root`), `/sys/fs/cgroup` in the DaemonSet. */
  readonly root: string;
  readonly driver: CgroupDriver;
  /** Log each write that would be made and make none (no originals are recorded either). */
  readonly dryRun: boolean;
  readonly records: ThrottleRecords;
  readonly log: Logger;
  readonly clock: Clock;
  /** Defaults to the backend matching the root's filesystem. */
  readonly files?: CgroupFiles;
}

const CONTROLLER: Record<ThrottledFile, string> = { "io.max": "io", "cpu.max": "cpu" };

function validate(limits: PodLimits): void {
  if (limits.io !== undefined) {
    const bad = limits.io.devices.find((d) => !DEVICE.test(d));
    if (bad !== undefined) throw new CgroupRefusal("invalid-limit", `device ${JSON.stringify(bad)} is not MAJ:MIN`, bad);
    if (!Number.isSafeInteger(limits.io.bytesPerSec) || limits.io.bytesPerSec <= 0) {
      throw new CgroupRefusal("invalid-limit", `io bandwidth ${limits.io.bytesPerSec} is not a positive whole number of bytes/s`, "io.max");
    }
  }
  if (limits.cpu !== undefined) {
    const { quotaUs, periodUs } = limits.cpu;
    // Kernel bounds: period 1 ms–1 s, quota at least 1 ms.
    const okQuota = quotaUs === "max" || (Number.isSafeInteger(quotaUs) && quotaUs >= 1_000);
    if (!okQuota || !Number.isSafeInteger(periodUs) || periodUs < 1_000 || periodUs > 1_000_000) {
      throw new CgroupRefusal("invalid-limit", `cpu.max "${formatCpuMax(limits.cpu)}" is outside the kernel's bounds`, "cpu.max");
    }
  }
}

/**
 * Tier 1's hands: writes io.max and cpu.max of opted-in pods' own cgroups and puts them back. Every
 * file's original content is committed to SQLite before the first write to it, so restoreAll() can
 * undo everything after a crash. Refuses (CgroupRefusal) cgroup v1 hosts at construction, and any path
 * that does not resolve to the pod's own kubepods directory.
 */
export class CgroupThrottler {
  readonly #o: CgroupThrottlerOptions;
  readonly #files: CgroupFiles;
  readonly #log: Logger;

  constructor(o: CgroupThrottlerOptions) {
    requireCgroupV2(o.root);
    this.#o = o;
    this.#files = o.files ?? cgroupFilesFor(o.root);
    this.#log = o.log.child({ component: "cgroups", dryRun: o.dryRun });
  }

  get dryRun(): boolean {
    return this.#o.dryRun;
  }

  /** Sets the pod's limits (only the files named in `limits`); skips files already at the value. */
  apply(pod: PodRef, limits: PodLimits): WriteOutcome[] {
    validate(limits);
    const cg = resolvePodCgroup(this.#o.root, pod, this.#o.driver);
    const outcomes: WriteOutcome[] = [];
    if (limits.io !== undefined && limits.io.devices.length > 0) outcomes.push(this.#write(cg, "io.max", this.#ioLines(cg, limits.io)));
    if (limits.cpu !== undefined) outcomes.push(this.#write(cg, "cpu.max", this.#cpuLines(cg, limits.cpu)));
    return outcomes;
  }

  #path(cg: PodCgroup, file: ThrottledFile): string {
    const controllers = this.#files.read(join(cg.dir, "cgroup.controllers")).split(/\s+/);
    if (!controllers.includes(CONTROLLER[file])) {
      throw new CgroupRefusal("controller-missing", `controller ${CONTROLLER[file]} is not enabled on ${cg.dir}, so ${file} cannot be set`, cg.dir);
    }
    return join(cg.dir, file);
  }

  #ioLines(cg: PodCgroup, io: IoThrottle): string[] {
    const current = new Map(parseIoMax(this.#files.read(this.#path(cg, "io.max"))).map((l) => [l.device, l.limits]));
    return io.devices
      .filter((d) => {
        const now = current.get(d);
        return now?.rbps !== io.bytesPerSec || now.wbps !== io.bytesPerSec;
      })
      .map((d) => `${d} rbps=${io.bytesPerSec} wbps=${io.bytesPerSec}`);
  }

  #cpuLines(cg: PodCgroup, cpu: CpuMax): string[] {
    const now = parseCpuMax(this.#files.read(this.#path(cg, "cpu.max")));
    return now?.quotaUs === cpu.quotaUs && now.periodUs === cpu.periodUs ? [] : [formatCpuMax(cpu)];
  }

  #write(cg: PodCgroup, file: ThrottledFile, lines: string[]): WriteOutcome {
    const path = join(cg.dir, file);
    if (lines.length === 0) return { file, path, lines, result: "unchanged" };
    if (this.#o.dryRun) {
      for (const line of lines) this.#log.info({ uid: cg.uid, path, operation: `echo "${line}" > ${path}` }, "cgroup write skipped (dry run)");
      return { file, path, lines, result: "dry-run" };
    }
    const nowMs = this.#o.clock.nowMs();
    // Committed (synchronous = FULL) before the first byte is written: a kill -9 after this point still
    // leaves what restoreAll() needs.
    this.#o.records.recordOriginal(cg.uid, file, cg.relDir, this.#files.read(path), nowMs);
    for (const line of lines) {
      this.#files.writeLine(path, line);
      this.#log.info({ uid: cg.uid, path, operation: line }, "cgroup write");
    }
    this.#o.records.setApplied(cg.uid, file, this.#files.read(path), nowMs);
    return { file, path, lines, result: "written" };
  }

  /** The pod's cpu.max as the kubelet set it: the recorded original when we throttled it, else the file. */
  kubeletCpuMax(pod: PodRef): CpuMax | undefined {
    const recorded = this.#o.records.get(pod.uid, "cpu.max");
    if (recorded !== undefined) return parseCpuMax(recorded.original);
    const cg = resolvePodCgroup(this.#o.root, pod, this.#o.driver);
    return parseCpuMax(this.#files.read(this.#path(cg, "cpu.max")));
  }

  /** Files currently holding our values, with their originals (for the NodeReport). */
  active(): ThrottleRecord[] {
    return this.#o.records.list();
  }

  /** Puts one pod's files back (its victim recovered). */
  restore(podUid: string): RestoreOutcome[] {
    return this.#o.records.forPod(podUid).map((r) => this.#restore(r));
  }

  /** Puts every recorded file back: on start-up (leftovers of a crashed run) and on SIGTERM. */
  restoreAll(): RestoreOutcome[] {
    return this.#o.records.list().map((r) => this.#restore(r));
  }

  #restore(r: ThrottleRecord): RestoreOutcome {
    const log = this.#log.child({ uid: r.podUid, file: r.file });
    const done = (result: RestoreOutcome["result"]): RestoreOutcome => ({ podUid: r.podUid, file: r.file, result });
    let cg: PodCgroup | undefined;
    try {
      cg = reverifyPodCgroup(this.#o.root, r.podUid, r.cgroupDir);
    } catch (err) {
      if (!isCgroupRefusal(err)) throw err;
      log.error({ reason: err.reason, path: err.subject, err }, "cgroup restore refused");
      return done("refused");
    }
    if (cg === undefined) {
      // The pod and its cgroup are gone: nothing is left to restore.
      this.#o.records.delete(r.podUid, r.file);
      log.info({ result: "gone", path: r.cgroupDir }, "cgroup restore");
      return done("gone");
    }
    const path = join(cg.dir, r.file);
    try {
      const current = this.#files.read(path);
      const lines = current === r.original ? [] : r.file === "io.max" ? ioMaxRestoreLines(current, r.original) : [r.original.trim()];
      if (this.#o.dryRun && lines.length > 0) {
        for (const line of lines) log.info({ path, operation: `echo "${line}" > ${path}` }, "cgroup write skipped (dry run)");
        return done("dry-run");
      }
      for (const line of lines) this.#files.writeLine(path, line);
      const after = this.#files.read(path);
      if (after !== r.original) {
        log.warn({ path, result: "mismatch", reason: `reads ${JSON.stringify(after)}, original ${JSON.stringify(r.original)}` }, "cgroup restore");
        return done("mismatch");
      }
      this.#o.records.delete(r.podUid, r.file);
      log.info({ path, result: "restored" }, "cgroup restore");
      return done("restored");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        this.#o.records.delete(r.podUid, r.file);
        log.info({ result: "gone", path }, "cgroup restore");
        return done("gone");
      }
      log.error({ path, err }, "cgroup restore failed");
      return done("failed");
    }
  }
}

import { closeSync, constants, openSync, readFileSync, statfsSync, writeSync } from "node:fs";
import { basename } from "node:path";
import { applyIoMaxWrite } from "./ioMax.js";

/**
 * Reading and writing cgroup interface files. O_NOFOLLOW on every open: a file swapped for a symlink
 * after the directory was checked fails (ELOOP) instead of being followed.
 */
export interface CgroupFiles {
  /** "kernel": a real cgroup2 mount; "emulated": a plain directory standing in for one. */
  readonly mode: "kernel" | "emulated";
  read(path: string): string;
  /** One write(2) of one line, as the kernel wants for io.max. */
  writeLine(path: string, line: string): void;
}

/** statfs f_type of cgroup2 (linux/magic.h CGROUP2_SUPER_MAGIC). */
export const CGROUP2_SUPER_MAGIC = 0x63677270;

function readNoFollow(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

function writeNoFollow(path: string, text: string, truncate: boolean): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW | (truncate ? constants.O_TRUNC : 0));
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** The kernel's files: each write is parsed by the kernel, which keeps the file's state. */
export const kernelCgroupFiles: CgroupFiles = {
  mode: "kernel",
  read: readNoFollow,
  writeLine: (path, line) => writeNoFollow(path, line, false),
};

/**
 * Plain files that behave like the kernel's for what the agent writes: io.max merges one device line
 * per write, cpu.max takes `MAX [PERIOD]` and reads back `MAX PERIOD`. Used when the cgroup root is not
 * a cgroup2 mount (tests, `--cgroup-root` on a copied tree). Not simulated: device existence, value
 * ranges, controllers being enabled, permissions beyond the file mode.
 */
export const emulatedCgroupFiles: CgroupFiles = {
  mode: "emulated",
  read: readNoFollow,
  writeLine(path, line) {
    const current = readNoFollow(path);
    let next: string | undefined;
    if (basename(path) === "io.max") next = applyIoMaxWrite(current, line);
    else if (basename(path) === "cpu.max") {
      const m = /^\s*(max|\d+)(?:\s+(\d+))?\s*$/.exec(line);
      const oldPeriod = /\s(\d+)\s*$/.exec(current)?.[1] ?? "100000";
      next = m === null ? undefined : `${m[1]} ${m[2] ?? oldPeriod}\n`;
    } else next = line;
    // The kernel answers EINVAL to a line it cannot parse; so does the stand-in.
    if (next === undefined) {
      const err: NodeJS.ErrnoException = new Error(`EINVAL: invalid argument, write '${line}' to ${path}`);
      err.code = "EINVAL";
      throw err;
    }
    writeNoFollow(path, next, true);
  },
};

/** The backend for a cgroup root: kernel files on a cgroup2 mount, the stand-in anywhere else. */
export function cgroupFilesFor(root: string): CgroupFiles {
  return statfsSync(root).type === CGROUP2_SUPER_MAGIC ? kernelCgroupFiles : emulatedCgroupFiles;
}

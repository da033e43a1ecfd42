/**
 * Which pod a host process belongs to, from `/proc/<pid>/cgroup` (the agent runs with hostPID and the
 * host's /proc under `--host-root`). Any hierarchy's line will do for the UID: it is only used to
 * attribute a metric file or a GPU process, never to build a path to write.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { podUidFromCgroupPath } from "../cgroups/index.js";

export function podUidOfPid(procDir: string, pid: number): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(procDir, String(pid), "cgroup"), "utf8");
  } catch {
    return undefined; // the process is gone, or not visible from this pid namespace
  }
  for (const line of text.split("\n")) {
    const uid = podUidFromCgroupPath(line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1));
    if (uid !== undefined) return uid;
  }
  return undefined;
}

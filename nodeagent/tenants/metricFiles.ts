/**
 * The original Cluster-Helper's latency input, kept for tenants that write it: `<dir>/<PID>.metric`
 * holding `p99_latency_ms: 87.50`. The PID is mapped to its pod through /proc. Read-only: stale files
 * are ignored (older than `maxAgeMs`), never deleted, and a missing or malformed file is no latency,
 * never a made-up one. Several processes of one pod: the worst p99 speaks for the pod.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { metricFilePid, parseMetricFile } from "../../core/slo/index.js";
import { podUidOfPid } from "./processPods.js";

export interface MetricFileLatencies {
  /** Pod UID → p99 ms. */
  readonly byPod: Map<string, number>;
  readonly problems: string[];
}

export function readMetricFiles(dir: string, procDir: string, nowMs: number, maxAgeMs: number): MetricFileLatencies {
  const byPod = new Map<string, number>();
  const problems: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    // No directory: no tenant uses the file protocol on this node; nothing to report.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { byPod, problems };
    return { byPod, problems: [`${dir}: ${(err as Error).message}`] };
  }
  for (const name of names.sort()) {
    const pid = metricFilePid(name);
    if (pid === undefined) continue;
    const file = path.join(dir, name);
    try {
      if (nowMs - statSync(file).mtimeMs > maxAgeMs) continue;
      const p99 = parseMetricFile(readFileSync(file, "utf8"));
      if (p99 === undefined) {
        problems.push(`${file}: not "p99_latency_ms: <number>"`);
        continue;
      }
      const uid = podUidOfPid(procDir, pid);
      if (uid === undefined) continue; // not a pod's process (or gone)
      byPod.set(uid, Math.max(byPod.get(uid) ?? 0, p99));
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { byPod, problems };
}

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatMetricFile } from "../../../core/slo/index.js";
import { readMetricFiles } from "../../../nodeagent/tenants/index.js";
import { nodeFixture } from "../../core/slo/sloFixtures.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function host() {
  const base = mkdtempSync(join(tmpdir(), "steward-metricfiles-"));
  dirs.push(base);
  const metrics = join(base, "var/run/tenant_metrics");
  const proc = join(base, "proc");
  mkdirSync(metrics, { recursive: true });
  const process = (pid: number, cgroup: string) => {
    mkdirSync(join(proc, String(pid)), { recursive: true });
    writeFileSync(join(proc, String(pid), "cgroup"), cgroup);
  };
  return { metrics, proc, process };
}

const NOW = 1_750_000_000_000;
// The real /proc/1/cgroup of a pod on a systemd/containerd node (pod 70e3e272-…).
const POD_CGROUP = nodeFixture("proc-1-cgroup_k8s-pod_cgroupv2-systemd-containerd.txt");

describe("tenant metric files (the original's protocol)", () => {
  it("maps each fresh <PID>.metric to its pod through /proc and keeps the worst p99 per pod", () => {
    const h = host();
    h.process(4242, POD_CGROUP);
    h.process(4243, POD_CGROUP);
    h.process(1, "0::/init.scope\n");
    writeFileSync(join(h.metrics, "4242.metric"), formatMetricFile(87.5));
    writeFileSync(join(h.metrics, "4243.metric"), "120\n");
    writeFileSync(join(h.metrics, "1.metric"), formatMetricFile(5)); // not a pod's process
    writeFileSync(join(h.metrics, "notes.txt"), "ignored");
    const r = readMetricFiles(h.metrics, h.proc, NOW, 60_000);
    expect([...r.byPod]).toEqual([["70e3e272-514d-4610-b9f2-09b476631f1e", 120]]);
    expect(r.problems).toEqual([]);
  });

  it("ignores stale files and reports malformed ones; a missing directory is no problem", () => {
    const h = host();
    h.process(7, POD_CGROUP);
    h.process(8, POD_CGROUP);
    writeFileSync(join(h.metrics, "7.metric"), formatMetricFile(900));
    utimesSync(join(h.metrics, "7.metric"), (NOW - 600_000) / 1000, (NOW - 600_000) / 1000);
    writeFileSync(join(h.metrics, "8.metric"), "p99_latency_ms: fast\n");
    const r = readMetricFiles(h.metrics, h.proc, NOW, 60_000);
    expect(r.byPod.size).toBe(0);
    expect(r.problems).toEqual([`${join(h.metrics, "8.metric")}: not "p99_latency_ms: <number>"`]);
    expect(readMetricFiles(join(h.metrics, "absent"), h.proc, NOW, 60_000)).toEqual({ byPod: new Map(), problems: [] });
  });
});

/**
 * The NodeReport status for one cycle (core/nodeReport's shape): topology with its hash and per-GPU
 * MIG facts, which container holds which device, MIG layout, tenants against their SLO, throttles in
 * force with their originals, inference replicas' load, the agent's heartbeat and problems, and the
 * Ready/Degraded conditions. Then fitted to the size budget.
 */
import {
  CONDITION_DEGRADED,
  CONDITION_READY,
  fitNodeReport,
  MAX_PROBLEM_CHARS,
  MAX_PROBLEMS,
  migLayoutFromInstances,
  migModeForReport,
  nodeReportStatus,
  withTopologyHash,
  type Condition,
  type FittedStatus,
  type GpuAllocation,
  type NodeReportStatus,
  type ReplicaReport,
  type ThrottleReport,
} from "../../core/nodeReport/index.js";
import type { CycleResult } from "./cycle.js";
import { isGpuResource, type PodDevicesLike } from "./podDevices.js";

export interface ReportContext {
  version: string;
  dryRun: boolean;
  pollIntervalSeconds: number;
  /** The conditions last written, so a condition keeps its lastTransitionTime while it holds. */
  previous?: readonly Condition[];
  /**
   * The topology last written. A poll whose `topo -m` failed keeps it: the links did not change
   * because one call failed. (The writer applies the topology under its own field manager, and only
   * when its hash changes; see platform/kube/nodeReports.ts.)
   */
  lastTopology?: NodeReportStatus["topology"];
}

const iso = (ms: number) => new Date(ms).toISOString();

function topologyOf(r: CycleResult): NodeReportStatus["topology"] {
  const t = r.discovery.topology;
  if (t === undefined) return undefined;
  const byIndex = new Map(r.discovery.gpus.map((g) => [g.index, g]));
  const migByGpu = new Map<number, { uuid: string; profile: string; deviceIndex: number }[]>();
  for (const d of r.discovery.mig.devices) {
    const list = migByGpu.get(d.gpu) ?? [];
    list.push({ uuid: d.uuid, profile: d.profile, deviceIndex: d.deviceIndex });
    migByGpu.set(d.gpu, list);
  }
  return withTopologyHash({
    ...t,
    gpus: t.gpus.map((g) => {
      const found = byIndex.get(g.index);
      const mig = migByGpu.get(g.index);
      return { ...g, migMode: found === undefined ? null : migModeForReport(found.migMode.current), ...(mig !== undefined && { migDevices: mig }) };
    }),
  });
}

function allocationOf(devices: readonly PodDevicesLike[] | undefined): GpuAllocation[] {
  const out = new Map<string, GpuAllocation>();
  for (const p of devices ?? []) {
    for (const c of p.containers) {
      for (const d of c.devices) {
        if (!isGpuResource(d.resourceName)) continue;
        for (const gpu of d.deviceIds) {
          const a = { gpu, resource: d.resourceName, namespace: p.namespace, pod: p.name, container: c.name ?? "" };
          if (a.container !== "") out.set(`${gpu}\u0000${p.namespace}\u0000${p.name}\u0000${a.container}`, a);
        }
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.gpu < b.gpu ? -1 : a.gpu > b.gpu ? 1 : a.pod < b.pod ? -1 : a.pod > b.pod ? 1 : 0));
}

function replicasOf(r: CycleResult): ReplicaReport[] {
  const byUid = new Map(r.pods.map((p) => [p.uid, p]));
  const out: ReplicaReport[] = [];
  for (const s of r.scrapes.values()) {
    const pod = byUid.get(s.uid);
    if (pod === undefined || s.load === undefined || s.load.windowS <= 0) continue;
    const l = s.load;
    out.push({
      namespace: pod.namespace,
      pod: pod.name,
      uid: pod.uid,
      model: l.model,
      gpus: r.gpusByPod.get(pod.uid)?.gpus ?? [],
      windowSeconds: l.windowS,
      requestRate: l.requestRate,
      arrivalRate: l.arrivalRate,
      avgInputTokens: l.avgInputTokens,
      avgOutputTokens: l.avgOutputTokens,
      ttftP99Ms: s.ttftP99Ms ?? null,
      ttftMeanMs: l.ttftMeanMs,
      itlMeanMs: l.itlMeanMs,
      running: l.running,
      waiting: l.waiting,
    });
  }
  return out.sort((a, b) => (a.uid < b.uid ? -1 : 1));
}

function throttlesOf(r: CycleResult): ThrottleReport[] {
  const byUid = new Map(r.pods.map((p) => [p.uid, p]));
  return r.throttles.flatMap((t): ThrottleReport[] => {
    const pod = byUid.get(t.podUid);
    // A throttle of a pod no longer on the node is restored at the next pass; there is no name to show.
    if (pod === undefined) return [];
    return [
      {
        namespace: pod.namespace,
        pod: pod.name,
        uid: t.podUid,
        file: t.file,
        path: `${t.cgroupDir}/${t.file}`,
        original: t.original,
        applied: t.applied,
        victimUid: t.victim ?? null,
        since: iso(t.createdMs),
        expiresAt: t.expiresAtMs === undefined ? null : iso(t.expiresAtMs),
      },
    ];
  });
}

function condition(type: string, ok: boolean, reason: string, message: string, nowMs: number, previous: readonly Condition[] | undefined): Condition {
  const status = ok ? "True" : "False";
  const before = previous?.find((c) => c.type === type);
  return { type, status, reason, message: message.slice(0, 1024), lastTransitionTime: before !== undefined && before.status === status ? before.lastTransitionTime : iso(nowMs) };
}

export function buildReportStatus(r: CycleResult, ctx: ReportContext): FittedStatus {
  const fresh = topologyOf(r);
  const topology = fresh ?? ctx.lastTopology;
  const problems = r.problems.slice(0, MAX_PROBLEMS).map((p) => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS - 1)}…` : p));
  const degraded = r.problems.length > 0;
  const status: NodeReportStatus = nodeReportStatus({
    ...(topology !== undefined && { topology }),
    allocation: allocationOf(r.devices),
    migLayout: migLayoutFromInstances(r.discovery.mig.gpuInstances, r.discovery.mig.computeInstances),
    tenants: r.tenants.map((t) => ({
      namespace: t.namespace,
      pod: t.name,
      uid: t.uid,
      gpu: t.gpu === "node" ? null : t.gpu,
      sloMs: t.sloMs,
      latency: t.latency,
      p99Ms: t.p99Ms,
      samples: t.samples,
      state: t.status,
      since: iso(t.sinceMs),
    })),
    throttles: throttlesOf(r),
    replicas: replicasOf(r),
    agent: { version: ctx.version, dryRun: ctx.dryRun, heartbeat: iso(r.atMs), pollIntervalSeconds: ctx.pollIntervalSeconds, problems },
    conditions: [
      condition(CONDITION_READY, fresh !== undefined, fresh !== undefined ? "TopologyRead" : "TopologyUnknown", fresh !== undefined ? `${fresh.gpus.length} GPU(s), links from ${fresh.linkSource}` : "no topology this poll; see status.agent.problems", r.atMs, ctx.previous),
      condition(CONDITION_DEGRADED, degraded, degraded ? "InputsFailing" : "AllInputsAnswered", degraded ? (problems[0] ?? "") : "every input answered", r.atMs, ctx.previous),
    ],
  });
  return fitNodeReport(status);
}

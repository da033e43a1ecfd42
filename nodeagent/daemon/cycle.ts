/**
 * One poll of the node agent, in order: discover the GPUs, take the node's pods and which GPUs they
 * hold, scrape tenants and inference servers, judge each tenant against its SLO (core/slo state
 * machine), undo throttles whose victim recovered (or that grew old), then take one Tier 1 step per
 * new violation, and Tier 2 where Tier 1 has nothing left to do. Everything it saw and did is returned
 * for the NodeReport and the metrics. Every input may fail on its own: a failure is a problem line and
 * the cycle goes on with what it has; nothing here throws for what the node or a pod does.
 */
import { EMPTY_LEDGER, planRelease, planTighten, TenantSloTracker, type NeighbourPod, type ThrottleLedger, type ThrottlePlan, type ThrottlePolicy, type TenantObservation, type TenantStatus, type Violation } from "../../core/slo/index.js";
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/log.js";
import { isCgroupRefusal, type CgroupThrottler, type IoRates, type PodIoReader, type ThrottleRecord } from "../cgroups/index.js";
import type { GpuDiscovery } from "../discovery/index.js";
import type { AgentPod, MetricFileLatencies, PodScrape, TenantScraper } from "../tenants/index.js";
import type { MigRequestRecord, Tier2Requester } from "./migRequest.js";
import { podGpus, type PodDevicesLike, type PodGpus } from "./podDevices.js";

/** Tier 1 outcomes that mean "nothing more to do here": what sends a persisting violation to Tier 2. */
const TIER1_EXHAUSTED = new Set(["at-floor", "no-neighbour", "no-eligible-neighbour", "idle-neighbours"]);

export interface Mitigation {
  readonly throttler: CgroupThrottler;
  readonly policy: ThrottlePolicy;
  /** A throttle not tightened for this long is undone even if its victim has not recovered. */
  readonly maxAgeMs: number;
  readonly nodeCpuCores: number;
}

export interface Tier2 {
  readonly requester: Tier2Requester;
  /** Violations in a row that Tier 1 could not act on before a MIG layout is asked for. */
  readonly afterViolations: number;
}

export interface CycleDeps {
  discover(): Promise<GpuDiscovery>;
  pods(): AgentPod[];
  /** Absent: no pod-resources socket configured. */
  podDevices?(): Promise<readonly PodDevicesLike[]>;
  scraper: TenantScraper;
  metricFiles?(nowMs: number): MetricFileLatencies;
  io?: { reader: PodIoReader; rates: IoRates; disks(): ReadonlySet<string> };
  tracker: TenantSloTracker;
  /** Absent: mitigation off (disabled, or a cgroup v1 host). */
  mitigation?: Mitigation;
  tier2?: Tier2;
  clock: Clock;
  log: Logger;
}

export interface TenantView {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly sloMs: number;
  readonly latency: AgentPod["latencyKind"];
  readonly p99Ms: number | null;
  readonly samples: number;
  readonly source: "metrics" | "metric-file" | null;
  readonly status: TenantStatus;
  readonly gpu: string;
  readonly noLatency: string | null;
  /** When the tenant entered `status` (as this process saw it). */
  readonly sinceMs: number;
}

/** A cgroup file holding our value, with the tenant it protects and when it is undone at the latest. */
export interface ActiveThrottle extends ThrottleRecord {
  /** Undefined for a leftover of an earlier run (restored at start-up, so only briefly). */
  readonly victim: string | undefined;
  readonly expiresAtMs: number | undefined;
}

export interface ActionRecord {
  readonly atMs: number;
  readonly kind: "throttle" | "release" | "skip" | "refused" | "mig-request";
  readonly pod?: string;
  readonly victim?: string;
  readonly detail: string;
}

export interface CycleResult {
  readonly atMs: number;
  readonly durationMs: number;
  readonly discovery: GpuDiscovery;
  readonly pods: readonly AgentPod[];
  readonly gpusByPod: ReadonlyMap<string, PodGpus>;
  /** The last pod-resources answer (per container), for the report's allocation. */
  readonly devices: readonly PodDevicesLike[];
  readonly scrapes: ReadonlyMap<string, PodScrape>;
  readonly tenants: readonly TenantView[];
  readonly violations: readonly Violation[];
  readonly throttles: readonly ActiveThrottle[];
  readonly actions: readonly ActionRecord[];
  readonly migRequests: readonly MigRequestRecord[];
  readonly problems: readonly string[];
  /** Which inputs answered this cycle. */
  readonly inputs: { readonly nvidiaSmi: boolean; readonly podResources: boolean | null; readonly mitigation: boolean };
}

export class AgentCycle {
  #ledger: ThrottleLedger = EMPTY_LEDGER;
  #gpusByPod = new Map<string, PodGpus>();
  #devices: readonly PodDevicesLike[] = [];
  /** Victim UID → violations in a row that Tier 1 could not act on. */
  readonly #tier1Exhausted = new Map<string, number>();
  /** Tenant UID → its status and since when. */
  readonly #statusSince = new Map<string, { status: TenantStatus; sinceMs: number }>();

  constructor(private readonly d: CycleDeps) {}

  async run(): Promise<CycleResult> {
    const { clock, log } = this.d;
    const started = clock.nowMs();
    const problems: string[] = [];
    const actions: ActionRecord[] = [];
    const migRequests: MigRequestRecord[] = [];

    const discovery = await this.d.discover();
    problems.push(...discovery.problems);
    const pods = this.d.pods();
    const byUid = new Map(pods.map((p) => [p.uid, p]));
    const nowMs = clock.nowMs();

    let podResources: boolean | null = null;
    if (this.d.podDevices) {
      try {
        this.#devices = await this.d.podDevices();
        this.#gpusByPod = podGpus(this.#devices, pods);
        podResources = true;
      } catch (err) {
        // Keep the last answer for pods still here: GPUs do not move between pods while they run.
        this.#gpusByPod = new Map([...this.#gpusByPod].filter(([uid]) => byUid.has(uid)));
        problems.push((err as Error).message);
        podResources = false;
      }
    }

    const scrapes = await this.d.scraper.scrape(pods, nowMs);
    for (const s of scrapes.values()) if (s.error !== undefined) problems.push(`metrics ${byUid.get(s.uid)?.namespace}/${byUid.get(s.uid)?.name}: ${s.error}`);
    const files = this.d.metricFiles?.(nowMs);
    problems.push(...(files?.problems ?? []));

    const neighbours = this.#neighbours(pods, discovery, nowMs);
    const tenants = pods.filter((p) => p.sloMs !== undefined);
    const observations: TenantObservation[] = tenants.map((p) => {
      const scraped = scrapes.get(p.uid)?.p99Ms;
      return { tenant: p.uid, gpu: this.#gpusByPod.get(p.uid)?.gpus[0] ?? "node", p99Ms: scraped ?? files?.byPod.get(p.uid), sloMs: p.sloMs! };
    });
    const violations = this.d.tracker.update(observations, nowMs);
    for (const uid of [...this.#tier1Exhausted.keys()]) if (this.d.tracker.tenant(uid) === undefined) this.#tier1Exhausted.delete(uid);

    if (this.d.mitigation) {
      this.#release(nowMs, actions);
      for (const v of [...violations].sort((a, b) => b.severity - a.severity)) {
        const outcome = this.#tighten(v, neighbours, byUid, nowMs, actions);
        await this.#maybeTier2(v, outcome, nowMs, actions, migRequests, discovery);
      }
    } else if (violations.length > 0) {
      for (const v of violations) actions.push({ atMs: nowMs, kind: "skip", victim: v.victim, detail: "mitigation off" });
    }
    for (const v of violations) log.warn({ victim: v.victim, gpu: v.gpu, severity: Number(v.severity.toFixed(3)) }, "tenant SLO violated");

    const tenantViews: TenantView[] = tenants.map((p) => {
      const s = scrapes.get(p.uid);
      const status = this.d.tracker.status(p.uid) ?? "unknown";
      const seen = this.#statusSince.get(p.uid);
      const since = seen !== undefined && seen.status === status ? seen.sinceMs : nowMs;
      this.#statusSince.set(p.uid, { status, sinceMs: since });
      const fromFile = s?.p99Ms === undefined ? files?.byPod.get(p.uid) : undefined;
      const p99 = s?.p99Ms ?? fromFile;
      return {
        uid: p.uid,
        namespace: p.namespace,
        name: p.name,
        sloMs: p.sloMs!,
        latency: p.latencyKind,
        p99Ms: p99 ?? null,
        samples: s?.samples ?? 0,
        source: s?.p99Ms !== undefined ? "metrics" : fromFile !== undefined ? "metric-file" : null,
        status,
        gpu: this.#gpusByPod.get(p.uid)?.gpus[0] ?? "node",
        noLatency: p99 === undefined ? (s?.noLatency ?? "no-metrics") : null,
        sinceMs: since,
      };
    });
    const tenantUids = new Set(tenants.map((p) => p.uid));
    for (const uid of [...this.#statusSince.keys()]) if (!tenantUids.has(uid)) this.#statusSince.delete(uid);
    return {
      atMs: nowMs,
      durationMs: clock.nowMs() - started,
      discovery,
      pods,
      gpusByPod: this.#gpusByPod,
      devices: this.#devices,
      scrapes,
      tenants: tenantViews,
      violations,
      throttles: this.#activeThrottles(),
      actions,
      migRequests,
      problems,
      inputs: { nvidiaSmi: discovery.source === "nvidia-smi", podResources, mitigation: this.d.mitigation !== undefined },
    };
  }

  #activeThrottles(): ActiveThrottle[] {
    const m = this.d.mitigation;
    if (m === undefined) return [];
    return m.throttler.active().map((r) => {
      const t = this.#ledger.throttles[r.podUid];
      return { ...r, victim: t?.victim, expiresAtMs: t === undefined ? undefined : t.lastChangeMs + m.maxAgeMs };
    });
  }

  /** What bully selection knows of each running pod: GPUs, NUMA nodes, GPU share and io rate. */
  #neighbours(pods: readonly AgentPod[], discovery: GpuDiscovery, nowMs: number): NeighbourPod[] {
    const byGpu = new Map(discovery.gpus.filter((g) => g.uuid !== null).map((g) => [g.uuid!, g]));
    const sharers = new Map<string, number>();
    for (const { gpus } of this.#gpusByPod.values()) for (const g of gpus) sharers.set(g, (sharers.get(g) ?? 0) + 1);
    const disks = this.d.io?.disks() ?? new Set<string>();
    this.#busyDisks.clear();
    const out = pods.map((p): NeighbourPod => {
      const held = this.#gpusByPod.get(p.uid);
      const gpus = held?.gpus ?? [];
      const numa = new Set(held?.numaNodes ?? []);
      let util: number | undefined;
      for (const g of gpus) {
        const gpu = byGpu.get(g);
        if (gpu?.numaNode !== null && gpu?.numaNode !== undefined) numa.add(gpu.numaNode);
        if (gpu?.utilizationGpuPercent !== null && gpu?.utilizationGpuPercent !== undefined) util = (util ?? 0) + gpu.utilizationGpuPercent / (sharers.get(g) ?? 1);
      }
      let io: number | undefined;
      if (this.d.io) {
        const devices = this.d.io.reader.read({ uid: p.uid, qosClass: p.qos });
        if (devices !== undefined) {
          const rate = this.d.io.rates.update(p.uid, devices, nowMs, disks);
          io = rate.bytesPerSec;
          this.#busyDisks.set(p.uid, rate.busyDisks);
        }
      }
      return { uid: p.uid, throttleOptIn: p.throttleOptIn, hasSlo: p.sloMs !== undefined, gpus, numaNodes: [...numa].sort((a, b) => a - b), ...(util !== undefined && { gpuUtilPct: util }), ...(io !== undefined && { ioBytesPerSec: io }) };
    });
    this.d.io?.rates.forget(new Set(pods.map((p) => p.uid)));
    return out;
  }

  readonly #busyDisks = new Map<string, string[]>();

  /** Undoes throttles whose victim recovered or left, and those older than maxAgeMs. */
  #release(nowMs: number, actions: ActionRecord[]): void {
    const m = this.d.mitigation!;
    const done = new Set<string>();
    for (const t of Object.values(this.#ledger.throttles)) {
      const victim = this.d.tracker.tenant(t.victim);
      const last = victim?.history.at(-1);
      const recovered = victim === undefined || (victim.hasData && last !== undefined && last.ms <= victim.sloMs && victim.state !== "cooldown");
      if (recovered || nowMs - t.lastChangeMs >= m.maxAgeMs) done.add(t.victim);
    }
    const { restore, ledger } = planRelease(this.#ledger, done);
    this.#ledger = ledger;
    for (const uid of restore) {
      try {
        const outcomes = m.throttler.restore(uid);
        actions.push({ atMs: nowMs, kind: "release", pod: uid, detail: outcomes.map((o) => `${o.file}: ${o.result}`).join(", ") || "nothing recorded" });
      } catch (err) {
        actions.push({ atMs: nowMs, kind: "refused", pod: uid, detail: `restore: ${(err as Error).message}` });
        this.d.log.error({ err, uid }, "throttle restore failed; retried at the next restore pass");
      }
    }
  }

  #tighten(v: Violation, neighbours: readonly NeighbourPod[], byUid: ReadonlyMap<string, AgentPod>, nowMs: number, actions: ActionRecord[]): ThrottlePlan {
    const m = this.d.mitigation!;
    const victim = neighbours.find((n) => n.uid === v.victim);
    const placement = { uid: v.victim, gpus: victim?.gpus ?? [], numaNodes: victim?.numaNodes ?? [] };
    const originalCpuMax = (uid: string) => {
      const pod = byUid.get(uid);
      if (pod === undefined) return undefined;
      try {
        return m.throttler.kubeletCpuMax({ uid, qosClass: pod.qos });
      } catch {
        return undefined; // no cpu controller or no cgroup: CPU is not throttled
      }
    };
    const { plan, ledger } = planTighten({ victim: placement, severity: v.severity, pods: neighbours, originalCpuMax, nodeCpuCores: m.nodeCpuCores }, this.#ledger, m.policy, nowMs);
    if (plan.kind === "skip") {
      actions.push({ atMs: nowMs, kind: "skip", victim: v.victim, ...(plan.uid !== undefined && { pod: plan.uid }), detail: plan.reason });
      return plan;
    }
    const pod = byUid.get(plan.uid)!;
    const devices = this.#busyDisks.get(plan.uid) ?? [];
    try {
      const written = m.throttler.apply(
        { uid: pod.uid, qosClass: pod.qos },
        { ...(devices.length > 0 && { io: { devices, bytesPerSec: plan.ioBytesPerSec } }), ...(plan.cpu !== undefined && { cpu: plan.cpu }) },
      );
      this.#ledger = ledger;
      actions.push({ atMs: nowMs, kind: "throttle", pod: plan.uid, victim: v.victim, detail: `${plan.relation}: ${written.map((w) => `${w.file} ${w.result} ${w.lines.join("; ")}`).join(", ") || "no file to change"}` });
    } catch (err) {
      if (!isCgroupRefusal(err)) throw err;
      actions.push({ atMs: nowMs, kind: "refused", pod: plan.uid, victim: v.victim, detail: `${err.reason}: ${err.message}` });
      this.d.log.warn({ uid: plan.uid, victim: v.victim, reason: err.reason }, "throttle refused");
    }
    return plan;
  }

  async #maybeTier2(v: Violation, plan: ThrottlePlan, nowMs: number, actions: ActionRecord[], records: MigRequestRecord[], discovery: GpuDiscovery): Promise<void> {
    const exhausted = plan.kind === "skip" && TIER1_EXHAUSTED.has(plan.reason);
    const count = exhausted ? (this.#tier1Exhausted.get(v.victim) ?? 0) + 1 : 0;
    this.#tier1Exhausted.set(v.victim, count);
    const t2 = this.d.tier2;
    if (t2 === undefined || count < t2.afterViolations) return;
    const record = await t2.requester.request(v.victim, v.gpu, nowMs, { discovery, devices: this.#devices });
    records.push(record);
    actions.push({ atMs: nowMs, kind: "mig-request", victim: v.victim, detail: `${record.layout}: ${record.result}${record.error ? ` (${record.error})` : ""}` });
    if (record.result === "requested" || record.result === "already-requested") this.#tier1Exhausted.set(v.victim, 0);
  }
}

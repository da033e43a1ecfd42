import { DEFAULT_SLO_POLICY, SEVERITY_WINDOW, type SloPolicy } from "./sloPolicy.js";
import {
  inCooldown,
  newTenant,
  recentLatencies,
  recordLatency,
  startCooldown,
  tenantStatus,
  tickCooldown,
  type Tenant,
  type TenantStatus,
} from "./tenantState.js";

/** One poll's view of a tenant. `p99Ms` undefined (or not a finite number ≥ 0) = no data this time. */
export interface TenantObservation {
  readonly tenant: string;
  /** GPU UUID the tenant runs on; tenants are judged together per GPU. */
  readonly gpu: string;
  readonly p99Ms: number | undefined;
  /** The pod's own SLO; the policy's threshold when absent. */
  readonly sloMs?: number;
}

export interface Violation {
  readonly victim: string;
  readonly gpu: string;
  /**
   * Other tenants on the GPU that were not violated themselves, in the order they were first seen: what
   * the original called its bullies. Tier 1 picks its throttle target with `chooseBully`, not from here.
   */
  readonly coTenants: string[];
  /** (mean of the last ≤ 3 latencies − SLO) / SLO. */
  readonly severity: number;
  readonly atMs: number;
}

export type StatusCounts = Record<TenantStatus, number>;

function hasLatency(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && ms >= 0;
}

function severityOf(t: Tenant): number {
  const recent = recentLatencies(t, SEVERITY_WINDOW);
  const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
  return (mean - t.sloMs) / t.sloMs;
}

/**
 * The original Cluster-Helper's tenant state machine (spec §B.3) with the reconciliation rules of §B.8:
 * persistence is checked on every breach (so persistence 1 acts on the first), and an empty poll only
 * ticks cooldowns. Differences of ours: the GPU comes with each observation instead of `pid % 2`, each
 * tenant may carry its own SLO, and a tenant without a latency is kept as "unknown" rather than dropped
 * or judged.
 */
export class TenantSloTracker {
  readonly #tenants = new Map<string, Tenant>();

  constructor(readonly policy: Readonly<SloPolicy> = DEFAULT_SLO_POLICY) {}

  /**
   * One poll. In order: (1) each observation moves its tenant; (2) cooldowns tick; (3) tenants absent from
   * a non-empty poll are forgotten; (4) each violated tenant yields a Violation and enters cooldown.
   */
  update(observations: readonly TenantObservation[], nowMs: number): Violation[] {
    for (const o of observations) this.#observe(o, nowMs);
    for (const t of this.#tenants.values()) tickCooldown(t);
    if (observations.length > 0) {
      const present = new Set(observations.map((o) => o.tenant));
      for (const id of [...this.#tenants.keys()]) if (!present.has(id)) this.#tenants.delete(id);
    }
    return this.#detect(nowMs);
  }

  #observe(o: TenantObservation, nowMs: number): void {
    const sloMs = o.sloMs ?? this.policy.tailThresholdMs;
    let t = this.#tenants.get(o.tenant);
    if (t === undefined) {
      t = newTenant(o.tenant, o.gpu, sloMs);
      this.#tenants.set(o.tenant, t);
    }
    t.gpu = o.gpu;
    t.sloMs = sloMs;
    if (!hasLatency(o.p99Ms)) {
      // No data moves nothing: a quiet tenant is neither recovered nor breaching.
      t.hasData = false;
      return;
    }
    t.hasData = true;
    recordLatency(t, nowMs, o.p99Ms);
    if (o.p99Ms > sloMs) {
      if (t.state === "normal" || t.state === "degraded") {
        // A fresh breach starts the count at 1: a count kept through cooldown must not carry over.
        t.violationCount = t.state === "normal" ? 1 : t.violationCount + 1;
        t.state = "degraded";
        if (t.violationCount >= this.policy.persistenceWindows) t.state = "violated";
      }
    } else if (t.state === "degraded" || t.state === "violated") {
      t.state = "normal";
      t.violationCount = 0;
    }
  }

  #detect(nowMs: number): Violation[] {
    const byGpu = new Map<string, Tenant[]>();
    for (const t of this.#tenants.values()) {
      const list = byGpu.get(t.gpu) ?? [];
      list.push(t);
      byGpu.set(t.gpu, list);
    }
    const violations: Violation[] = [];
    for (const [gpu, tenants] of byGpu) {
      const victims = tenants.filter((t) => t.state === "violated" && !inCooldown(t));
      if (victims.length === 0) continue;
      const others = tenants.filter((t) => t.state !== "violated").map((t) => t.id);
      for (const v of victims) {
        violations.push({ victim: v.id, gpu, coTenants: others.filter((id) => id !== v.id), severity: severityOf(v), atMs: nowMs });
        startCooldown(v, this.policy.cooldownObservations, nowMs);
      }
    }
    return violations;
  }

  /** Puts a known tenant in cooldown (default length from the policy); false for an unknown one. */
  forceCooldown(tenant: string, observations?: number): boolean {
    const t = this.#tenants.get(tenant);
    if (t === undefined) return false;
    startCooldown(t, observations ?? this.policy.cooldownObservations);
    return true;
  }

  tenant(id: string): Readonly<Tenant> | undefined {
    return this.#tenants.get(id);
  }

  tenants(): Readonly<Tenant>[] {
    return [...this.#tenants.values()];
  }

  status(id: string): TenantStatus | undefined {
    const t = this.#tenants.get(id);
    return t === undefined ? undefined : tenantStatus(t);
  }

  counts(): StatusCounts {
    const counts: StatusCounts = { normal: 0, degraded: 0, violated: 0, cooldown: 0, unknown: 0 };
    for (const t of this.#tenants.values()) counts[tenantStatus(t)] += 1;
    return counts;
  }
}

/** One line for logs and events: victim, GPU, co-tenants and severity to two decimals. */
export function describeViolation(v: Violation): string {
  return `Violation(victim=${v.victim}, gpu=${v.gpu}, coTenants=[${v.coTenants.join(", ")}], severity=${v.severity.toFixed(2)})`;
}

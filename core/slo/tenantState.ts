import { LATENCY_HISTORY_LENGTH } from "./sloPolicy.js";

/** Where a tenant stands against its SLO (the original's four states). */
export type TenantState = "normal" | "degraded" | "violated" | "cooldown";

/** What is reported: a tenant whose last observation had no latency is "unknown", whatever its state. */
export type TenantStatus = TenantState | "unknown";

export interface LatencyPoint {
  readonly atMs: number;
  readonly ms: number;
}

export interface Tenant {
  /** Pod UID (or, for the original's `.metric` files, the PID as a string). */
  readonly id: string;
  state: TenantState;
  /** Consecutive breaches; kept through cooldown as the original does. */
  violationCount: number;
  cooldownRemaining: number;
  /** Last LATENCY_HISTORY_LENGTH latencies, oldest first. */
  history: LatencyPoint[];
  gpu: string;
  sloMs: number;
  /** False when the last observation carried no latency (no requests, no file, first scrape). */
  hasData: boolean;
  lastActionMs: number | undefined;
}

export function newTenant(id: string, gpu: string, sloMs: number): Tenant {
  return { id, state: "normal", violationCount: 0, cooldownRemaining: 0, history: [], gpu, sloMs, hasData: false, lastActionMs: undefined };
}

export function recordLatency(t: Tenant, atMs: number, ms: number): void {
  t.history.push({ atMs, ms });
  if (t.history.length > LATENCY_HISTORY_LENGTH) t.history.splice(0, t.history.length - LATENCY_HISTORY_LENGTH);
}

/** The last n latencies in ms, oldest first. */
export function recentLatencies(t: Tenant, n: number): number[] {
  return t.history.slice(-n).map((p) => p.ms);
}

export function startCooldown(t: Tenant, observations: number, nowMs?: number): void {
  t.state = "cooldown";
  t.cooldownRemaining = observations;
  if (nowMs !== undefined) t.lastActionMs = nowMs;
}

/** One observation passes; a cooldown that runs out returns the tenant to normal (its count is kept). */
export function tickCooldown(t: Tenant): void {
  if (t.state !== "cooldown" || t.cooldownRemaining <= 0) return;
  t.cooldownRemaining -= 1;
  if (t.cooldownRemaining <= 0) t.state = "normal";
}

export function inCooldown(t: Tenant): boolean {
  return t.state === "cooldown" && t.cooldownRemaining > 0;
}

export function tenantStatus(t: Tenant): TenantStatus {
  return t.hasData ? t.state : "unknown";
}

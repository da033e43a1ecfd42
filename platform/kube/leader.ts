/**
 * Leader election over a coordination.k8s.io/v1 Lease, after client-go's leaderelection package: the
 * loops that write (spend PID, learner, autoscaler, certificate rotation) run on one replica only.
 *
 * One step (`tryAcquireOrRenew`) reads the Lease and then
 *  - creates it when absent                                   → acquired
 *  - renews it when we hold it                                → renewed
 *  - takes it over when it is free or expired                 → acquired (leaseTransitions + 1)
 *  - otherwise leaves it alone                                → following
 * and a lost optimistic-concurrency race (409) is just another follower step.
 *
 * Expired means both clocks agree: the holder's `renewTime + leaseDurationSeconds` is past, AND we have
 * watched the Lease unchanged (same resourceVersion) for leaseDuration on our own clock. The second rule is
 * client-go's: it keeps a replica whose clock runs ahead from stealing a Lease that is still being renewed.
 * The price: a fresh replica waits one leaseDuration before taking over a stale Lease.
 */
import { V1MicroTime, type V1Lease, type V1LeaseSpec } from "@kubernetes/client-node";
import type { Clock } from "../clock.js";
import { StewardError } from "../errors.js";
import type { Logger } from "../log.js";
import { isConflict, toKubeError, type KubeApiError } from "./errors.js";
import type { Leases } from "./ports.js";
import { unrefWait, type Wait } from "./wait.js";

export { unrefWait, type Wait };

/** client-go's defaults (LeaseDuration 15 s, RenewDeadline 10 s, RetryPeriod 2 s). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** client-go's JitterFactor: renewDeadline must leave room for a retry period stretched by jitter. */
const JITTER_FACTOR = 1.2;

export interface LeaderElectionConfig {
  namespace: string;
  /** Lease name, e.g. `gpu-steward-controller`. */
  name: string;
  /** This replica (pod name); written as `holderIdentity`. */
  identity: string;
  /** How long others wait after the last renewal before taking over. */
  leaseDurationMs?: number;
  /** How long the leader keeps leading while renewals fail. */
  renewDeadlineMs?: number;
  /** Time between steps. */
  retryPeriodMs?: number;
  /**
   * [0,1) source for the wait of replicas that do not lead (default Math.random): they wait
   * retryPeriod × (1 + random × JITTER_FACTOR), as client-go does, so replicas started together do
   * not hit the API server in step. The leader renews every retryPeriod exactly.
   */
  random?: () => number;
}

export type ElectionStep =
  | { kind: "acquired"; holder: string }
  | { kind: "renewed"; holder: string }
  | { kind: "following"; holder: string }
  /** Another replica wrote the Lease between our read and our write (409). */
  | { kind: "lost-race" }
  | { kind: "error"; err: KubeApiError };

export interface RunOptions {
  /** Called on each gain of leadership; `leadership` aborts when it ends (stop the leader-only loops then). */
  onStartedLeading(leadership: AbortSignal): void;
  onStoppedLeading(): void;
  /** Abort to stop: the Lease is released (if held) and run() resolves. */
  signal: AbortSignal;
}


export class LeaderElector {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  #observed: { resourceVersion: string | undefined; atMs: number } | undefined;
  #leadership: AbortController | undefined;
  #lastRenewMs = 0;

  constructor(
    private readonly leases: Leases,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly config: LeaderElectionConfig,
    private readonly wait: Wait = unrefWait,
  ) {
    this.leaseDurationMs = config.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = config.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = config.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (config.identity === "") throw new StewardError("CONFIG_INVALID", "leader election identity must not be empty", "identity");
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new StewardError("CONFIG_INVALID", `leaseDuration (${this.leaseDurationMs} ms) must be greater than renewDeadline (${this.renewDeadlineMs} ms)`, "leaseDurationMs");
    }
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) {
      throw new StewardError("CONFIG_INVALID", `renewDeadline (${this.renewDeadlineMs} ms) must be greater than ${JITTER_FACTOR} × retryPeriod (${this.retryPeriodMs} ms)`, "renewDeadlineMs");
    }
  }

  /** True between onStartedLeading and onStoppedLeading of run(). */
  get isLeader(): boolean {
    return this.#leadership !== undefined;
  }

  async tryAcquireOrRenew(): Promise<ElectionStep> {
    const { namespace, name, identity } = this.config;
    const nowMs = this.clock.nowMs();
    let current: V1Lease | undefined;
    try {
      current = await this.leases.get(namespace, name);
    } catch (err) {
      return { kind: "error", err: toKubeError(err, `GET leases ${namespace}/${name}`) };
    }
    if (current !== undefined) {
      this.#observe(current, nowMs);
      const holder = current.spec?.holderIdentity ?? "";
      if (holder !== "" && holder !== identity && !this.#expired(current.spec ?? {}, nowMs)) return { kind: "following", holder };
    }
    const renewing = current?.spec?.holderIdentity === identity;
    try {
      const next = this.#nextLease(current, nowMs);
      const written = current === undefined ? await this.leases.create(next) : await this.leases.replace(next);
      this.#observe(written, nowMs);
      this.#lastRenewMs = nowMs;
      return { kind: renewing ? "renewed" : "acquired", holder: identity };
    } catch (err) {
      if (isConflict(err)) return { kind: "lost-race" };
      return { kind: "error", err: toKubeError(err, `${current === undefined ? "POST" : "PUT"} leases ${namespace}/${name}`) };
    }
  }

  /**
   * Hands the Lease back so a successor need not wait for expiry (client-go's ReleaseOnCancel): empty
   * holder, 1 s duration. Returns whether we released it; failures are logged, never thrown.
   */
  async release(): Promise<boolean> {
    const { namespace, name, identity } = this.config;
    try {
      const current = await this.leases.get(namespace, name);
      if (current?.spec?.holderIdentity !== identity) return false;
      const nowMs = this.clock.nowMs();
      await this.leases.replace({
        metadata: { ...current.metadata },
        spec: {
          holderIdentity: "",
          leaseDurationSeconds: 1,
          acquireTime: new V1MicroTime(nowMs),
          renewTime: new V1MicroTime(nowMs),
          leaseTransitions: current.spec.leaseTransitions ?? 0,
        },
      });
      return true;
    } catch (err) {
      this.log.warn({ err, namespace, name, identity }, "leader lease not released");
      return false;
    }
  }

  /** Steps every retryPeriod until `signal` aborts; calls back on each change of leadership. */
  async run(opts: RunOptions): Promise<void> {
    while (!opts.signal.aborted) {
      const step = await this.tryAcquireOrRenew();
      this.#follow(step, opts);
      if (opts.signal.aborted) break;
      await this.wait(this.nextWaitMs(), opts.signal);
    }
    if (this.isLeader) {
      await this.release();
      this.#stopLeading(opts, "stopped");
    }
  }

  /** The pause before the next step: exact while leading, jittered while following or trying. */
  nextWaitMs(): number {
    if (this.isLeader) return this.retryPeriodMs;
    const random = this.config.random ?? Math.random;
    return this.retryPeriodMs * (1 + random() * JITTER_FACTOR);
  }

  #follow(step: ElectionStep, opts: RunOptions): void {
    const { namespace, name, identity } = this.config;
    switch (step.kind) {
      case "acquired":
      case "renewed":
        if (!this.isLeader) {
          this.#leadership = new AbortController();
          this.log.info({ namespace, name, identity }, "leadership acquired");
          try {
            opts.onStartedLeading(this.#leadership.signal);
          } catch (err) {
            this.log.error({ err, identity }, "onStartedLeading threw");
          }
        }
        return;
      case "following":
        if (this.isLeader) this.#stopLeading(opts, "taken over");
        return;
      case "lost-race":
      case "error":
        if (step.kind === "error") this.log.warn({ err: step.err, namespace, name, identity }, "leader lease step failed");
        // Keep leading through failed renewals until renewDeadline, which ends before anyone else may take over.
        if (this.isLeader && this.clock.nowMs() - this.#lastRenewMs >= this.renewDeadlineMs) this.#stopLeading(opts, "renew deadline passed");
        return;
    }
  }

  #stopLeading(opts: RunOptions, reason: string): void {
    const leadership = this.#leadership;
    this.#leadership = undefined;
    leadership?.abort();
    this.log.info({ namespace: this.config.namespace, name: this.config.name, identity: this.config.identity, reason }, "leadership lost");
    try {
      opts.onStoppedLeading();
    } catch (err) {
      this.log.error({ err, identity: this.config.identity }, "onStoppedLeading threw");
    }
  }

  /** Restarts our own expiry clock whenever the Lease changes (any write bumps resourceVersion). */
  #observe(lease: V1Lease, nowMs: number): void {
    const resourceVersion = lease.metadata?.resourceVersion;
    if (this.#observed === undefined || this.#observed.resourceVersion !== resourceVersion) {
      this.#observed = { resourceVersion, atMs: nowMs };
    }
  }

  #expired(spec: V1LeaseSpec, nowMs: number): boolean {
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000;
    const renewMs = spec.renewTime?.getTime();
    const renewExpired = renewMs === undefined || renewMs + durationMs < nowMs;
    const observedExpired = this.#observed !== undefined && this.#observed.atMs + durationMs < nowMs;
    return renewExpired && observedExpired;
  }

  #nextLease(current: V1Lease | undefined, nowMs: number): V1Lease {
    const { namespace, name, identity } = this.config;
    const previous = current?.spec;
    const renewing = previous?.holderIdentity === identity;
    return {
      metadata: current?.metadata ? { ...current.metadata } : { namespace, name },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: renewing && previous?.acquireTime ? previous.acquireTime : new V1MicroTime(nowMs),
        renewTime: new V1MicroTime(nowMs),
        leaseTransitions: renewing ? (previous?.leaseTransitions ?? 0) : current === undefined ? 0 : (previous?.leaseTransitions ?? 0) + 1,
      },
    };
  }
}

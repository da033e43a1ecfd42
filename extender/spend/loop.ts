/**
 * The spend loop: every period the leader reads the credit pool's spend, takes one step of the PID
 * (core/spend `planSpend`) from the stored state, saves the new state with the decision, and only then
 * publishes the routing the extender reads. Saving first means a restart never finds a routing in use
 * whose PID state was lost.
 *
 * A failed read (`SPEND_SOURCE`) makes no decision: the last routing stays, the error is logged and
 * counted, and the next period asks again (the seed did the same when its billing API failed).
 *
 * How long a decision stands: `maxAgeMs`, by default the control law's stop horizon, which is how far
 * ahead a decision looked at the spend rate it saw. Past that it says nothing safe about the target,
 * so routing goes off (neutral spend scores) until a new decision. A closed pool stays closed until
 * its billing month ends: spend only grows within a month, so "at the target" stays true, and for
 * "projected to reach it" staying closed is the side that cannot overspend.
 *
 * Followers (and standalone processes) run no loop; their getter serves the stored record under the
 * same rules, re-read at most every FOLLOWER_REFRESH_MS.
 */
import { billingMonthAt, planSpend, SpendInputError, freshSpendState, type SpendConfig, type SpendStep } from "../../core/spend/index.js";
import type { Clock } from "../../platform/clock.js";
import { StewardError, isStewardError } from "../../platform/errors.js";
import { unrefWait, type Wait } from "../../platform/kube/leader.js";
import type { Logger } from "../../platform/log.js";
import type { SpendRouting } from "../scorers.js";
import type { SpendMetrics } from "./metrics.js";
import type { SpendFigures, SpendSource } from "./sources/index.js";
import type { SpendRecord, SpendStates } from "./stateStore.js";

/**
 * A follower's routing may lag the leader's by this much. Decisions change once a period (minutes);
 * 5 s keeps SQLite reads off the extender's hot path (one per 5 s, not one per pod).
 */
export const FOLLOWER_REFRESH_MS = 5_000;

export interface SpendLoopOptions {
  /** `gpu-steward.io/pool` value of the credit pool. */
  pool: string;
  baselinePct: number;
  /** The control law's settings (spendControllerConfig). */
  spend: SpendConfig;
  periodMs: number;
  /** How long a decision stands without a newer one; default `spend.stopHorizonS`. */
  maxAgeMs?: number;
}

export interface SpendLoopDeps {
  source: SpendSource;
  states: SpendStates;
  clock: Clock;
  log: Logger;
  /** Absent in tests that do not look at series. */
  metrics?: SpendMetrics;
  /** Waits between cycles; tests pass one that advances a ManualClock. Must return when the signal aborts. */
  sleep?: Wait;
}

/** What one cycle did. */
export type SpendCycle =
  | { kind: "decided"; record: SpendRecord }
  | { kind: "sourceFailed"; error: StewardError }
  /** Leadership ended during the read: nothing saved or published. */
  | { kind: "cancelled" };

export interface SpendLoopFailure {
  code: string;
  message: string;
  atMs: number;
}

export class SpendLoop {
  readonly pool: string;
  readonly sourceName: string;
  readonly #opts: SpendLoopOptions;
  readonly #deps: SpendLoopDeps;
  readonly #maxAgeMs: number;
  readonly #sleep: Wait;
  /** The record behind the routing in use (leader: the latest; follower: the last read). */
  #record: SpendRecord | undefined;
  #routing: SpendRouting | undefined;
  #readAtMs = Number.NEGATIVE_INFINITY;
  #leading = false;
  #lastFailure: SpendLoopFailure | undefined;
  /** The previous run's end, so a regained leadership never runs two loops at once. */
  #previousRun: Promise<void> = Promise.resolve();

  constructor(opts: SpendLoopOptions, deps: SpendLoopDeps) {
    if (!(opts.periodMs > 0)) throw new StewardError("CONFIG_INVALID", `spend loop period must be > 0 ms, got ${opts.periodMs}`, "periodMs");
    this.#opts = opts;
    this.#deps = deps;
    this.pool = opts.pool;
    this.sourceName = deps.source.name;
    this.#maxAgeMs = opts.maxAgeMs ?? opts.spend.stopHorizonS * 1000;
    this.#sleep = deps.sleep ?? unrefWait;
  }

  /** True while run() holds leadership. */
  get leading(): boolean {
    return this.#leading;
  }

  get lastFailure(): SpendLoopFailure | undefined {
    return this.#lastFailure;
  }

  /** What the extender routes by: undefined when routing is off (no decision, or too old). Hot path. */
  routing(): SpendRouting | undefined {
    return this.current() === undefined ? undefined : this.#routing;
  }

  /** The record behind `routing()`, under the same rules. */
  current(): SpendRecord | undefined {
    const nowMs = this.#deps.clock.nowMs();
    if (!this.#leading && nowMs - this.#readAtMs >= FOLLOWER_REFRESH_MS) this.#readStored(nowMs);
    const record = this.#record;
    return record !== undefined && this.#stands(record, nowMs) ? record : undefined;
  }

  /** The stored record regardless of age (for the status endpoint). */
  latest(): SpendRecord | undefined {
    this.current();
    return this.#record;
  }

  /** Cycles every period until `leadership.signal` aborts (leadership lost, shutdown). */
  async run(leadership: { signal: AbortSignal }): Promise<void> {
    const previous = this.#previousRun;
    let finish!: () => void;
    this.#previousRun = new Promise((resolve) => (finish = resolve));
    await previous;
    const { signal } = leadership;
    const log = this.#deps.log;
    try {
      if (signal.aborted) return;
      this.#leading = true;
      this.#readStored(this.#deps.clock.nowMs());
      log.info({ pool: this.pool, source: this.sourceName, durationMs: this.#opts.periodMs }, "spend loop started");
      while (!signal.aborted) {
        try {
          await this.step(signal);
        } catch (err) {
          // Not the source's fault (the store or a stored state): nothing was published; try again next period.
          this.#deps.metrics?.cycles.labels("failed").inc();
          this.#fail("INTERNAL", err);
          log.error({ err, code: "INTERNAL", pool: this.pool }, "spend cycle failed");
        }
        if (signal.aborted) break;
        await this.#sleep(this.#opts.periodMs, signal);
      }
    } finally {
      this.#leading = false;
      this.#readAtMs = Number.NEGATIVE_INFINITY;
      log.info({ pool: this.pool }, "spend loop stopped");
      finish();
    }
  }

  /** One cycle: read, decide from the stored state, save, publish. Public for tests and one-shot use. */
  async step(signal?: AbortSignal): Promise<SpendCycle> {
    const { source, states, clock, log, metrics } = this.#deps;
    const nowMs = clock.nowMs();
    let figures: SpendFigures;
    try {
      figures = await source.read(nowMs, signal);
    } catch (err) {
      if (signal?.aborted) return { kind: "cancelled" };
      return this.#sourceFailed(asSourceError(source.name, err));
    }
    if (signal?.aborted) return { kind: "cancelled" };

    const stored = states.load(this.pool);
    let step: SpendStep;
    try {
      step = planSpend(stored?.state ?? freshSpendState(), { nowMs, ...figures, baselinePct: this.#opts.baselinePct }, this.#opts.spend);
    } catch (err) {
      // Figures the control law refuses (negative, NaN) are the source's fault; anything else is ours.
      if (!(err instanceof SpendInputError && err.field.startsWith("sample."))) throw err;
      return this.#sourceFailed(new StewardError("SPEND_SOURCE", `${source.name}: ${err.message}`, err.field));
    }
    const record: SpendRecord = { pool: this.pool, state: step.state, decision: step.decision, figures, source: source.name, updatedMs: Math.floor(nowMs) };
    states.save(record);
    this.#publish(record);
    this.#lastFailure = undefined;
    metrics?.cycles.labels("decided").inc();
    metrics?.lastSuccess.labels(source.name).set(nowMs / 1000);
    const { decision } = record;
    log.info({ pool: this.pool, source: source.name, routingPct: decision.routingPct, reason: decision.reason, result: "decided" }, "spend decision made");
    return { kind: "decided", record };
  }

  /** No decision this cycle: the routing in use stays (within maxAgeMs); counted and logged. */
  #sourceFailed(error: StewardError): SpendCycle {
    const { source, log, metrics } = this.#deps;
    metrics?.sourceErrors.labels(source.name).inc();
    metrics?.cycles.labels("source-error").inc();
    this.#fail(error.code, error);
    log.warn({ err: error, code: error.code, pool: this.pool, source: source.name }, "spend source failed; routing unchanged");
    return { kind: "sourceFailed", error };
  }

  #readStored(nowMs: number): void {
    this.#readAtMs = nowMs;
    let record: SpendRecord | undefined;
    try {
      record = this.#deps.states.load(this.pool);
    } catch (err) {
      // A corrupt row: serve no routing rather than a guess; the leader's next save replaces the row.
      this.#fail("INTERNAL", err);
      this.#deps.log.error({ err, code: "INTERNAL", pool: this.pool }, "stored spend state unreadable");
      record = undefined;
    }
    if (record !== undefined) this.#publish(record);
    else this.#record = this.#routing = undefined;
  }

  #publish(record: SpendRecord): void {
    this.#record = record;
    this.#routing = { pool: record.pool, routingPct: record.decision.routingPct, closed: record.decision.reason !== "controlled" };
  }

  #stands(record: SpendRecord, nowMs: number): boolean {
    if (nowMs - record.updatedMs <= this.#maxAgeMs) return true;
    return record.decision.reason !== "controlled" && billingMonthAt(nowMs, this.#opts.spend.utcOffsetMinutes).key === record.decision.month;
  }

  #fail(code: string, err: unknown): void {
    this.#lastFailure = { code, message: err instanceof Error ? err.message : String(err), atMs: this.#deps.clock.nowMs() };
  }
}

/** A source is meant to reject with SPEND_SOURCE only; anything else it throws is reported as such too. */
function asSourceError(source: string, err: unknown): StewardError {
  if (isStewardError(err, "SPEND_SOURCE")) return err;
  return new StewardError("SPEND_SOURCE", `${source}: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Shared state between controller replicas (ARCHITECTURE.md, State): request handlers run on every
 * replica, but only the leader learns (learner) and decides spend (spend loop). The leader publishes
 * the learned model and the spend loop's last record to one ConfigMap; every other replica reads it
 * each interval and adopts what is newer, durably (its own SQLite), so the webhook's GPU-type choice,
 * the extender's scores and spend routing agree across replicas within one interval, and a replica
 * that takes over starts from the newest state rather than its own.
 *
 * Which model is newer is decided by content (its newest observation), not by who published when: a
 * replica that led, learned and restarted before publishing keeps what it learned.
 *
 * Observations sent to the scoring API of a replica that does not lead are refused (503): the
 * leader's next snapshot would overwrite them, and an acknowledged observation must never be lost.
 */
import { isScoringInputError, parseModelSnapshot, type ModelSnapshot, type ScoringModel } from "../../core/scoring/index.js";
import type { Clock } from "../../platform/clock.js";
import { unrefWait, type Wait } from "../../platform/kube/leader.js";
import type { ConfigMaps } from "../../platform/kube/ports.js";
import type { Logger } from "../../platform/log.js";
import type { ScoringStore } from "../scoring/store.js";
import { parseSpendRecord, type SpendRecord, type SpendStates } from "../spend/index.js";
import { latestObservationMs, MAX_DOCUMENT_BYTES, readEnvelope, SHARED_STATE_KEY, SHARED_STATE_SCHEMA_VERSION, type SharedStateDocument } from "./document.js";
import type { SharedStateMetrics, SharedStateResult } from "./metrics.js";

export const DEFAULT_SHARED_STATE_NAME = "gpu-steward-state";
/** Followers lag the leader by at most this (plus one API round trip); the model moves once per finished job. */
export const DEFAULT_SHARED_STATE_INTERVAL_MS = 30_000;

export interface SharedStateDeps {
  configMaps: Pick<ConfigMaps, "get" | "apply">;
  namespace: string;
  name?: string;
  /** This replica (pod name): written as `publishedBy`. */
  identity: string;
  model: Pick<ScoringModel, "snapshot">;
  /** Adopts a snapshot durably and into the shared model. */
  scoring: Pick<ScoringStore, "adopt">;
  /** Absent when spend routing is off. */
  spend?: { pool: string; states: SpendStates };
  clock: Clock;
  log: Logger;
  metrics?: SharedStateMetrics;
  intervalMs?: number;
  wait?: Wait;
}

export class SharedState {
  readonly #d: SharedStateDeps;
  readonly #name: string;
  readonly #intervalMs: number;
  readonly #wait: Wait;
  #leading = false;
  /** What the leader last wrote (model + spend as JSON): an unchanged state is not written again. */
  #lastWritten: string | undefined;
  /** `publishedAtMs` of the last document a follower looked at: the same document is not parsed twice. */
  #lastSeenAtMs: number | undefined;

  constructor(deps: SharedStateDeps) {
    this.#d = deps;
    this.#name = deps.name ?? DEFAULT_SHARED_STATE_NAME;
    this.#intervalMs = deps.intervalMs ?? DEFAULT_SHARED_STATE_INTERVAL_MS;
    this.#wait = deps.wait ?? unrefWait;
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Why this replica must not take observations now, or undefined when it may. */
  observeRefusal(): string | undefined {
    return this.#leading ? undefined : "this replica does not lead; observations are learned by the leader (retry: the Service will reach it)";
  }

  /** Leader loop: adopt anything newer than ours once, then publish every interval until leadership ends. */
  async lead(leadership: { signal: AbortSignal }): Promise<void> {
    const { signal } = leadership;
    if (signal.aborted) return;
    this.#leading = true;
    try {
      await this.load("takeover");
      while (!signal.aborted) {
        await this.publish();
        await this.#wait(this.#intervalMs, signal);
      }
    } finally {
      this.#leading = false;
      this.#lastWritten = undefined;
      this.#lastSeenAtMs = undefined;
    }
  }

  /** Every replica: while it does not lead, read the leader's document every interval. */
  async follow(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.#leading) await this.load("follow");
      await this.#wait(this.#intervalMs, signal);
    }
  }

  /** One publish; never throws (a failed write is logged, counted and retried next interval). */
  async publish(): Promise<SharedStateResult> {
    const { clock, log } = this.#d;
    const model = this.#d.model.snapshot();
    const spend = this.#spendRecords();
    const content = JSON.stringify({ model, spend });
    if (content === this.#lastWritten) return this.#count("publish", "unchanged");
    const doc: SharedStateDocument = { schemaVersion: SHARED_STATE_SCHEMA_VERSION, publishedBy: this.#d.identity, publishedAtMs: Math.floor(clock.nowMs()), model, spend };
    const text = JSON.stringify(doc);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_DOCUMENT_BYTES) {
      log.error({ code: "SHARED_STATE", bytes, limit: MAX_DOCUMENT_BYTES, pairs: model.stats.length }, "shared state too large for a ConfigMap; followers keep the last one published");
      return this.#count("publish", "too-large");
    }
    try {
      await this.#d.configMaps.apply(this.#d.namespace, this.#name, { [SHARED_STATE_KEY]: text }, { "app.kubernetes.io/managed-by": "gpu-steward" });
    } catch (err) {
      log.warn({ err, code: "SHARED_STATE", configMap: `${this.#d.namespace}/${this.#name}` }, "shared state not published; trying again next interval");
      return this.#count("publish", "error");
    }
    this.#lastWritten = content;
    log.debug({ configMap: `${this.#d.namespace}/${this.#name}`, bytes, pairs: model.stats.length }, "shared state published");
    return this.#count("publish", "written");
  }

  /**
   * One read; never throws. `follow`: adopt a model at least as new as ours (the leader's is the
   * reference). `takeover`: only a strictly newer one (ours may hold learning not yet published).
   * Spend records are taken when newer than the stored one.
   */
  async load(mode: "follow" | "takeover"): Promise<SharedStateResult> {
    const { log } = this.#d;
    const where = `${this.#d.namespace}/${this.#name}`;
    let data: Record<string, string> | undefined;
    try {
      data = await this.#d.configMaps.get(this.#d.namespace, this.#name);
    } catch (err) {
      log.warn({ err, code: "SHARED_STATE", configMap: where }, "shared state not read; trying again next interval");
      return this.#count("load", "error");
    }
    if (data === undefined) return this.#count("load", "missing");
    const read = readEnvelope(data);
    if (!read.ok) {
      log.warn({ code: "SHARED_STATE", configMap: where, field: read.problem }, "shared state refused; keeping ours");
      return this.#count("load", "invalid");
    }
    const { envelope } = read;
    if (mode === "follow" && envelope.publishedAtMs === this.#lastSeenAtMs) return this.#count("load", "current");
    this.#lastSeenAtMs = envelope.publishedAtMs;
    const source = { configMap: where, publishedBy: envelope.publishedBy, publishedAtMs: envelope.publishedAtMs };

    let invalid = false;
    let adopted = false;
    try {
      const theirs = parseModelSnapshot(envelope.model);
      if (this.#modelIsNewer(theirs, mode)) {
        this.#d.scoring.adopt(theirs);
        adopted = true;
        log.info({ ...source, pairs: theirs.stats.length, mode }, "adopted the leader's learned model");
      }
    } catch (err) {
      if (!isScoringInputError(err)) throw err;
      invalid = true;
      log.warn({ ...source, code: "SHARED_STATE", field: err.field, err }, "shared model refused; keeping ours");
    }
    const spend = this.#d.spend;
    if (spend !== undefined) {
      for (const [i, raw] of envelope.spend.entries()) {
        let record: SpendRecord;
        try {
          record = parseSpendRecord(raw);
        } catch (err) {
          invalid = true;
          log.warn({ ...source, code: "SHARED_STATE", field: `spend.${i}`, err }, "shared spend record refused; keeping ours");
          continue;
        }
        if (record.pool !== spend.pool) continue;
        const ours = spend.states.load(spend.pool);
        if (ours !== undefined && ours.updatedMs >= record.updatedMs) continue;
        spend.states.save(record);
        adopted = true;
        log.info({ ...source, pool: record.pool, routingPct: record.decision.routingPct, mode }, "adopted the leader's spend decision");
      }
    }
    return this.#count("load", invalid ? "invalid" : adopted ? "adopted" : "current");
  }

  #modelIsNewer(theirs: ModelSnapshot, mode: "follow" | "takeover"): boolean {
    const theirsMs = latestObservationMs(theirs);
    const oursMs = latestObservationMs(this.#d.model.snapshot());
    return mode === "takeover" ? theirsMs > oursMs : theirsMs >= oursMs;
  }

  #spendRecords(): SpendRecord[] {
    const spend = this.#d.spend;
    if (spend === undefined) return [];
    try {
      const record = spend.states.load(spend.pool);
      return record === undefined ? [] : [record];
    } catch (err) {
      // A stored record this build cannot read: publish the model alone rather than nothing.
      this.#d.log.error({ err, code: "SHARED_STATE", pool: spend.pool }, "stored spend record unreadable; published without it");
      return [];
    }
  }

  #count(operation: "publish" | "load", result: SharedStateResult): SharedStateResult {
    this.#d.metrics?.count(operation, result, this.#d.clock.nowMs());
    return result;
  }
}

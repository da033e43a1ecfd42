/**
 * Durable learning for the scoring API. An observation is written to the SQLite journal and learned by
 * the model in one transaction, committed (fsynced: the store runs synchronous = FULL) before the caller
 * answers 200; so `kill -9` right after a 200 loses nothing. Checkpoints keep restarts and the journal
 * short: every `checkpointEveryObservations`, every `checkpointIntervalMs` of the injected clock, and at
 * close. On open: the last checkpoint is loaded and the journal entries after it are replayed.
 */
import type { Database } from "better-sqlite3";
import { parseModelSnapshot, ScoringModel, type ObserveOutcome, type Observation, type ScoringConfigInput } from "../../core/scoring/index.js";
import type { Clock } from "../../platform/clock.js";
import { StewardError } from "../../platform/errors.js";
import type { Logger } from "../../platform/log.js";
import { ScoringJournal } from "./journal.js";

export interface ScoringStoreOptions {
  /** Model knobs; must be the same on every start, since replay re-learns with them. */
  config?: ScoringConfigInput;
  /**
   * Checkpoint after this many observations. A checkpoint writes the whole snapshot (≤ retentionPairs
   * rows, about 100 KB at the default 1000), so 1000 observations per checkpoint keeps its cost per
   * observation near that of the journal insert itself, and a restart replays at most 1000 rows (~ms).
   */
  checkpointEveryObservations?: number;
  /** Checkpoint when this much clock time has passed with observations pending; the seed's 300 s. */
  checkpointIntervalMs?: number;
  /** Poll `checkpointIfDue` on a real timer; tests turn it off and call it themselves. Default true. */
  timer?: boolean;
}

export const DEFAULT_CHECKPOINT_EVERY_OBSERVATIONS = 1_000;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 300_000;

/** What `observe` stored and learned. */
export interface RecordedObservation extends ObserveOutcome {
  /** Journal id of the stored observation. */
  id: number;
}

export class ScoringStore {
  readonly #journal: ScoringJournal;
  readonly #model: ScoringModel;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #every: number;
  readonly #intervalMs: number;
  #lastAppliedId: number;
  #pending: number;
  #lastCheckpointMs: number;
  #closed = false;
  /** Read by the metrics on scrape. */
  checkpointsSaved = 0;
  checkpointFailures = 0;

  constructor(
    journal: ScoringJournal,
    model: ScoringModel,
    deps: { clock: Clock; log: Logger },
    position: { lastAppliedId: number; pending: number },
    opts: ScoringStoreOptions = {},
  ) {
    this.#journal = journal;
    this.#model = model;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#every = opts.checkpointEveryObservations ?? DEFAULT_CHECKPOINT_EVERY_OBSERVATIONS;
    this.#intervalMs = opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS;
    this.#lastAppliedId = position.lastAppliedId;
    this.#pending = position.pending;
    this.#lastCheckpointMs = deps.clock.nowMs();
  }

  /**
   * Stores and learns one observation; returns once it is committed. The insert and `model.observe`
   * share a transaction, so input the model rejects (ScoringInputError) rolls the row back and is never
   * replayed. If the commit itself fails the model has already learned the observation: the caller
   * answers 500 and the next restart, replaying only committed rows, drops it again.
   */
  observe(observation: Observation): RecordedObservation {
    if (this.#closed) throw new Error("scoring store is closed");
    // Whole milliseconds: the journal column is INTEGER and replay must hand the model the same time.
    const observedMs = Math.floor(this.#clock.nowMs());
    const recorded = this.#journal.transaction((): RecordedObservation => {
      const id = this.#journal.append(observation, observedMs);
      return { id, ...this.#model.observe(observation, observedMs) };
    });
    this.#lastAppliedId = recorded.id;
    this.#pending++;
    this.checkpointIfDue();
    return recorded;
  }

  /** Observations acknowledged since the last checkpoint (replayed ones included). */
  pendingObservations(): number {
    return this.#pending;
  }

  /** Saves the model and prunes the journal it covers. Throws if the write fails. */
  checkpoint(): void {
    const through = this.#lastAppliedId;
    const savedMs = Math.floor(this.#clock.nowMs());
    const pruned = this.#journal.saveCheckpoint(JSON.stringify(this.#model.snapshot()), through, savedMs);
    this.#pending = 0;
    this.#lastCheckpointMs = savedMs;
    this.checkpointsSaved++;
    this.#log.debug({ component: "scoring", operation: "checkpoint", result: `through ${through}, pruned ${pruned}` }, "scoring model checkpointed");
  }

  /**
   * Makes a snapshot from elsewhere (the leader's, published in a ConfigMap) this replica's model:
   * validated, checkpointed durably through the last journal row, then loaded into the shared model.
   * A bad snapshot throws ScoringInputError and changes nothing.
   */
  adopt(snapshot: unknown): void {
    if (this.#closed) throw new Error("scoring store is closed");
    const parsed = parseModelSnapshot(snapshot);
    const savedMs = Math.floor(this.#clock.nowMs());
    this.#journal.saveCheckpoint(JSON.stringify(parsed), this.#lastAppliedId, savedMs);
    this.#model.adopt(parsed);
    this.#pending = 0;
    this.#lastCheckpointMs = savedMs;
  }

  /**
   * Checkpoints when enough observations or time have gone by. Never throws: a failed checkpoint loses
   * nothing (the journal still holds every observation), so it is logged, counted and tried again later.
   */
  checkpointIfDue(): boolean {
    if (this.#closed || this.#pending === 0) return false;
    const due = this.#pending >= this.#every || this.#clock.nowMs() - this.#lastCheckpointMs >= this.#intervalMs;
    return due && this.#tryCheckpoint();
  }

  /** Final checkpoint; later observes throw. Idempotent. Does not close the database (its owner does). */
  close(): void {
    if (this.#closed) return;
    if (this.#pending > 0) this.#tryCheckpoint();
    this.#closed = true;
  }

  #tryCheckpoint(): boolean {
    try {
      this.checkpoint();
      return true;
    } catch (err) {
      this.checkpointFailures++;
      this.#log.error({ err, component: "scoring", operation: "checkpoint" }, "scoring checkpoint failed; the journal keeps the observations");
      return false;
    }
  }
}

export interface ScoringState {
  /** The one model instance; the webhook and extender share it. */
  readonly model: ScoringModel;
  readonly store: ScoringStore;
  /** Stops the timer and writes a final checkpoint. Idempotent; leaves the database open. */
  close(): void;
}

/**
 * Loads the model from `db` (migrated to schema 2 or later): the last checkpoint, then every journal
 * entry after it. A checkpoint this build cannot read stops the start (STORE_MIGRATION) rather than
 * silently starting from an empty model, since the entries it covers were pruned.
 */
export function openScoringState(db: Database, clock: Clock, log: Logger, opts: ScoringStoreOptions = {}): ScoringState {
  const journal = new ScoringJournal(db);
  const stored = journal.checkpoint();
  let model: ScoringModel;
  try {
    model = stored === undefined ? new ScoringModel(opts.config) : ScoringModel.fromSnapshot(stored.snapshot, opts.config);
  } catch (err) {
    throw new StewardError("STORE_MIGRATION", `stored scoring model is unreadable: ${(err as Error).message}`, "scoring_model.snapshot_json");
  }
  const replay = replayJournal(journal, model, stored?.throughObservationId ?? 0, log);
  log.info(
    { component: "scoring", operation: "load", result: `checkpoint through ${stored?.throughObservationId ?? 0}, replayed ${replay.replayed}, skipped ${replay.skipped}` },
    "scoring model loaded",
  );
  const store = new ScoringStore(journal, model, { clock, log }, { lastAppliedId: replay.lastId, pending: replay.replayed + replay.skipped }, opts);
  const timer = opts.timer === false ? undefined : setInterval(() => store.checkpointIfDue(), opts.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS);
  // The timer must not keep a process alive that is otherwise done.
  timer?.unref();
  return {
    model,
    store,
    close() {
      if (timer !== undefined) clearInterval(timer);
      store.close();
    },
  };
}

function replayJournal(journal: ScoringJournal, model: ScoringModel, afterId: number, log: Logger): { lastId: number; replayed: number; skipped: number } {
  let lastId = afterId;
  let replayed = 0;
  let skipped = 0;
  for (const entry of journal.entriesAfter(afterId)) {
    lastId = entry.id;
    try {
      model.observe(entry.observation, entry.observedMs);
      replayed++;
    } catch (err) {
      // Only reachable if a later build narrowed what observe accepts; one bad row must not block the start.
      skipped++;
      log.warn({ err, component: "scoring", operation: "replay", reason: `journal id ${entry.id}` }, "journal entry not replayed");
    }
  }
  return { lastId, replayed, skipped };
}

/**
 * The rows of migration 2: `scoring_observations`, a journal of every observation the API acknowledged,
 * and `scoring_model`, one checkpoint row (a model snapshot plus the last journal id folded into it).
 * The learned model is always that snapshot with the later journal entries replayed on top.
 */
import type { Database, Statement } from "better-sqlite3";
import type { Observation } from "../../core/scoring/index.js";

export interface JournalEntry {
  id: number;
  observation: Observation;
  /** The time handed to `model.observe`; replay hands the same one, so retention ages agree. */
  observedMs: number;
}

export interface StoredCheckpoint {
  /** Parsed JSON, not yet validated: `ScoringModel.fromSnapshot` checks it. */
  snapshot: unknown;
  throughObservationId: number;
  savedMs: number;
}

interface ObservationRow {
  id: number;
  job_type: string;
  gpu_type: string;
  runtime_s: number;
  colocated_json: string;
  observed_ms: number;
}

interface CheckpointRow {
  snapshot_json: string;
  through_observation_id: number;
  saved_ms: number;
}

export class ScoringJournal {
  readonly #db: Database;
  readonly #insert: Statement<[string, string, number, string, number]>;
  readonly #after: Statement<[number], ObservationRow>;
  readonly #checkpoint: Statement<[], CheckpointRow>;
  readonly #saveCheckpoint: Statement<[string, number, number]>;
  readonly #prune: Statement<[number]>;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare(
      "INSERT INTO scoring_observations (job_type, gpu_type, runtime_s, colocated_json, observed_ms) VALUES (?, ?, ?, ?, ?)",
    );
    this.#after = db.prepare("SELECT * FROM scoring_observations WHERE id > ? ORDER BY id");
    this.#checkpoint = db.prepare("SELECT snapshot_json, through_observation_id, saved_ms FROM scoring_model WHERE singleton = 1");
    this.#saveCheckpoint = db.prepare(`
      INSERT INTO scoring_model (singleton, snapshot_json, through_observation_id, saved_ms) VALUES (1, ?, ?, ?)
      ON CONFLICT (singleton) DO UPDATE SET
        snapshot_json = excluded.snapshot_json, through_observation_id = excluded.through_observation_id, saved_ms = excluded.saved_ms`);
    this.#prune = db.prepare("DELETE FROM scoring_observations WHERE id <= ?");
  }

  /** Runs `fn` in one transaction (IMMEDIATE: the write lock is taken before anything is read). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** Inserts one observation and returns its id. Durable once the enclosing transaction commits. */
  append(o: Observation, observedMs: number): number {
    const colocated = JSON.stringify(o.colocatedJobTypes ?? []);
    return Number(this.#insert.run(o.jobType, o.gpuType, o.runtimeS, colocated, observedMs).lastInsertRowid);
  }

  /** Journal entries with an id above `id`, oldest first. */
  *entriesAfter(id: number): Generator<JournalEntry> {
    for (const r of this.#after.iterate(id)) {
      yield {
        id: r.id,
        // Parsed but not checked: model.observe validates every field, as it does for HTTP input.
        observation: { jobType: r.job_type, gpuType: r.gpu_type, runtimeS: r.runtime_s, colocatedJobTypes: JSON.parse(r.colocated_json) as string[] },
        observedMs: r.observed_ms,
      };
    }
  }

  checkpoint(): StoredCheckpoint | undefined {
    const row = this.#checkpoint.get();
    if (row === undefined) return undefined;
    return { snapshot: JSON.parse(row.snapshot_json) as unknown, throughObservationId: row.through_observation_id, savedMs: row.saved_ms };
  }

  /**
   * Replaces the checkpoint and drops the journal entries it covers, in one transaction: a crash leaves
   * either the old checkpoint with its entries or the new one without them. Returns the rows pruned.
   */
  saveCheckpoint(snapshotJson: string, throughObservationId: number, savedMs: number): number {
    return this.transaction(() => {
      this.#saveCheckpoint.run(snapshotJson, throughObservationId, savedMs);
      return this.#prune.run(throughObservationId).changes;
    });
  }
}

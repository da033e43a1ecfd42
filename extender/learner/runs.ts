/**
 * The rows of migration 4 (`learner_runs`): per PyTorchJob uid, what the learner sampled while the job
 * ran and, once it finished, the outcome. The learner keeps a copy in memory and writes through here.
 */
import type { Database, Statement } from "better-sqlite3";

export type RunOutcome = "observed" | "failed-run" | "skipped";

export interface LearnerRun {
  uid: string;
  namespace: string;
  name: string;
  /** Job types seen sharing the job's nodes while it ran, distinct and sorted. */
  colocatedJobTypes: string[];
  /** Product of the master pod's node, last seen. */
  gpuType: string | undefined;
  /** First running sample that found the job's pods. */
  sampledMs: number | undefined;
  /** Set once the job finished; a row with an outcome is final. */
  outcome: RunOutcome | undefined;
  reason: string | undefined;
  /** Scoring journal id of the observation, for an observed run. */
  observationId: number | undefined;
  updatedMs: number;
}

interface Row {
  uid: string;
  namespace: string;
  name: string;
  colocated_json: string;
  gpu_type: string | null;
  sampled_ms: number | null;
  outcome: RunOutcome | null;
  reason: string | null;
  observation_id: number | null;
  updated_ms: number;
}

function fromRow(r: Row): LearnerRun {
  return {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    colocatedJobTypes: JSON.parse(r.colocated_json) as string[],
    gpuType: r.gpu_type ?? undefined,
    sampledMs: r.sampled_ms ?? undefined,
    outcome: r.outcome ?? undefined,
    reason: r.reason ?? undefined,
    observationId: r.observation_id ?? undefined,
    updatedMs: r.updated_ms,
  };
}

function toRow(run: LearnerRun): Row {
  return {
    uid: run.uid,
    namespace: run.namespace,
    name: run.name,
    colocated_json: JSON.stringify(run.colocatedJobTypes),
    gpu_type: run.gpuType ?? null,
    sampled_ms: run.sampledMs ?? null,
    outcome: run.outcome ?? null,
    reason: run.reason ?? null,
    observation_id: run.observationId ?? null,
    updated_ms: run.updatedMs,
  };
}

export class LearnerRuns {
  readonly #db: Database;
  readonly #save: Statement<Row>;
  readonly #delete: Statement<[string]>;
  readonly #all: Statement<[], Row>;

  /** `db` must be the scoring store's database, so that an observation and its run's outcome commit together. */
  constructor(db: Database) {
    this.#db = db;
    this.#save = db.prepare<Row>(`
      INSERT INTO learner_runs (uid, namespace, name, colocated_json, gpu_type, sampled_ms, outcome, reason, observation_id, updated_ms)
      VALUES (@uid, @namespace, @name, @colocated_json, @gpu_type, @sampled_ms, @outcome, @reason, @observation_id, @updated_ms)
      ON CONFLICT (uid) DO UPDATE SET
        namespace = excluded.namespace, name = excluded.name, colocated_json = excluded.colocated_json,
        gpu_type = excluded.gpu_type, sampled_ms = excluded.sampled_ms, outcome = excluded.outcome,
        reason = excluded.reason, observation_id = excluded.observation_id, updated_ms = excluded.updated_ms`);
    this.#delete = db.prepare<[string]>("DELETE FROM learner_runs WHERE uid = ?");
    this.#all = db.prepare<[], Row>("SELECT * FROM learner_runs");
  }

  /** Runs `fn` in one transaction; inside another one (the scoring store's observe) it nests as a savepoint. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  all(): LearnerRun[] {
    return this.#all.all().map(fromRow);
  }

  save(run: LearnerRun): void {
    this.#save.run(toRow(run));
  }

  /** Returns whether a row was removed. */
  delete(uid: string): boolean {
    return this.#delete.run(uid).changes > 0;
  }
}

/**
 * Schema migrations, applied in order, each in its own transaction, recorded in `schema_migrations`.
 * Append new ones at the end with the next version; never edit one that has shipped (a database that
 * applied it would not see the change). Later issues add observations, the learned model, PID state.
 */
import type { Database } from "better-sqlite3";
import { StewardError } from "../errors.js";

export interface Migration {
  version: number;
  name: string;
  up: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "admission decisions and pending rightsizing",
    up: `
      -- One row per AdmissionReview answered: the audit behind "why did my job get 4 GPUs?".
      CREATE TABLE admission_decisions (
        uid         TEXT PRIMARY KEY,
        namespace   TEXT NOT NULL,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        recommender TEXT,
        outcome     TEXT NOT NULL,
        gpus        INTEGER,
        workers     INTEGER,
        reason      TEXT,
        created_ms  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX admission_decisions_created ON admission_decisions (created_ms);

      -- Jobs admitted behind the rightsizing gate, waiting for the asynchronous ADO answer.
      CREATE TABLE pending_rightsizing (
        namespace      TEXT NOT NULL,
        name           TEXT NOT NULL,
        kind           TEXT NOT NULL,
        ado_request_id TEXT,
        inputs_json    TEXT NOT NULL,
        created_ms     INTEGER NOT NULL,
        PRIMARY KEY (namespace, name)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: "scoring observations and model",
    up: `
      -- Journal of every observation the scoring API acknowledged, written before its 200. AUTOINCREMENT
      -- so an id is never reused after pruning: replay takes ids above the checkpoint's, and a reused
      -- lower id would be skipped.
      CREATE TABLE scoring_observations (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        job_type       TEXT NOT NULL,
        gpu_type       TEXT NOT NULL,
        runtime_s      REAL NOT NULL,
        colocated_json TEXT NOT NULL,
        observed_ms    INTEGER NOT NULL
      ) STRICT;

      -- The learned model's last checkpoint: one row, the snapshot and the last journal id folded into it.
      CREATE TABLE scoring_model (
        singleton              INTEGER PRIMARY KEY CHECK (singleton = 1),
        snapshot_json          TEXT NOT NULL,
        through_observation_id INTEGER NOT NULL,
        saved_ms               INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: "spend state",
    up: `
      -- The spend loop's memory, one row per credit pool: the PID state (core/spend SpendState) and the
      -- decision taken with it, written before the decision is published so a restart mid-month resumes
      -- the integral instead of starting from 0. The figures and source are what the decision was fed.
      CREATE TABLE spend_state (
        pool              TEXT PRIMARY KEY,
        state_json        TEXT NOT NULL,
        decision_json     TEXT NOT NULL,
        month_to_date_usd REAL NOT NULL,
        daily_rate_usd    REAL NOT NULL,
        source            TEXT NOT NULL,
        updated_ms        INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: "learner runs",
    up: `
      -- One row per PyTorchJob (uid) the learner has seen: what it sampled while the job ran (co-located
      -- job types, the master pod's GPU product) and, once the job finished, what became of it. A row
      -- with an outcome is never reconsidered, so a restart cannot observe a job twice; rows of jobs no
      -- longer listed are deleted, so the table is never larger than the job list.
      CREATE TABLE learner_runs (
        uid            TEXT PRIMARY KEY,
        namespace      TEXT NOT NULL,
        name           TEXT NOT NULL,
        colocated_json TEXT NOT NULL,
        gpu_type       TEXT,
        sampled_ms     INTEGER,
        outcome        TEXT CHECK (outcome IN ('observed', 'failed-run', 'skipped')),
        reason         TEXT,
        observation_id INTEGER,
        updated_ms     INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: "cgroup throttles",
    up: `
      -- The node agent's cgroup writes, one row per (pod, interface file): the file's content as found
      -- before our first write, stored (and fsynced) before that write, so a restart after a crash or
      -- kill -9 can put every file back. The directory is relative to the cgroup root so a changed
      -- --cgroup-root cannot make a restore write elsewhere. A row is deleted once its file reads back
      -- as the original.
      CREATE TABLE cgroup_throttles (
        pod_uid    TEXT NOT NULL,
        file       TEXT NOT NULL CHECK (file IN ('io.max', 'cpu.max')),
        cgroup_dir TEXT NOT NULL,
        original   TEXT NOT NULL,
        applied    TEXT,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        PRIMARY KEY (pod_uid, file)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: "placement decisions",
    up: `
      -- The extender's last scores per pod (best nodes, per component), for GET /v1/decisions after
      -- a restart. Written in batches off the request path; trimmed to --decisions-kept rows.
      CREATE TABLE placement_decisions (
        namespace     TEXT NOT NULL,
        pod           TEXT NOT NULL,
        at_ms         INTEGER NOT NULL,
        decision_json TEXT NOT NULL,
        PRIMARY KEY (namespace, pod)
      ) STRICT;
      CREATE INDEX placement_decisions_at ON placement_decisions (at_ms);
    `,
  },
  {
    version: 7,
    name: "spend ledger usages",
    up: `
      -- The embedded spend ledger: one row per GPU pod seen on a credit-pool node, open (end_ms NULL)
      -- while it runs. Kept on every replica from its own cluster view, so a new leader has the
      -- month's history; rows that ended over two months ago are pruned.
      CREATE TABLE gpu_usages (
        pod_uid      TEXT NOT NULL PRIMARY KEY,
        pool         TEXT NOT NULL,
        gpus         REAL NOT NULL CHECK (gpus >= 0),
        start_ms     INTEGER NOT NULL,
        end_ms       INTEGER CHECK (end_ms IS NULL OR end_ms >= start_ms)
      ) STRICT;
      CREATE INDEX gpu_usages_end ON gpu_usages (end_ms);
    `,
  },
];

const CREATE_TRACKING = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`;

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1 || (i > 0 && m.version <= (migrations[i - 1]?.version ?? 0))) {
      throw new StewardError("STORE_MIGRATION", `migration "${m.name}": version ${m.version} must be a positive integer above the previous one`);
    }
  });
}

export interface MigrationResult {
  /** Versions applied by this call, in order (empty when the schema was current). */
  applied: number[];
  /** Schema version after the call. */
  version: number;
}

/** Highest applied version, 0 for a fresh database. */
export function schemaVersion(db: Database): number {
  db.exec(CREATE_TRACKING);
  const row = db.prepare("SELECT MAX(version) AS version FROM schema_migrations").get() as { version: number | null };
  return row.version ?? 0;
}

function tooNew(current: number, known: number): StewardError {
  return new StewardError(
    "STORE_MIGRATION",
    `database schema version ${current} is newer than this build knows (${known}); upgrade gpu-steward or point it at another state directory`,
  );
}

/**
 * Applies pending migrations. Refuses (STORE_MIGRATION) a database written by a newer build: running old
 * code on a newer schema could corrupt what the newer build relies on.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkOrder(migrations);
  const known = migrations.at(-1)?.version ?? 0;
  const before = schemaVersion(db);
  if (before > known) throw tooNew(before, known);
  const applied: number[] = [];
  for (const m of migrations) {
    const apply = db.transaction((): boolean => {
      const done = db.prepare("SELECT name FROM schema_migrations WHERE version = ?").get(m.version) as { name: string } | undefined;
      if (done === undefined) {
        db.exec(m.up);
        db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)").run(m.version, m.name);
        return true;
      }
      if (done.name !== m.name) {
        throw new StewardError("STORE_MIGRATION", `database migration ${m.version} is "${done.name}" but this build calls it "${m.name}"`);
      }
      return false;
    });
    // IMMEDIATE takes the write lock before the check, so two processes opening one file cannot both apply m.
    if (apply.immediate()) applied.push(m.version);
  }
  return { applied, version: schemaVersion(db) };
}

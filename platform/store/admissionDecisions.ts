/** Audit of webhook decisions: what each AdmissionReview got and why. */
import type { Database, Statement } from "better-sqlite3";

export interface AdmissionDecision {
  /** AdmissionReview request uid. */
  uid: string;
  namespace: string;
  name: string;
  kind: string;
  /** Which recommender answered; null when none was asked (opted out, unparseable). */
  recommender: string | null;
  /** The webhook's result (patched, unchanged, skipped, error…). */
  outcome: string;
  gpus: number | null;
  workers: number | null;
  reason: string | null;
  createdMs: number;
}

interface Row {
  uid: string;
  namespace: string;
  name: string;
  kind: string;
  recommender: string | null;
  outcome: string;
  gpus: number | null;
  workers: number | null;
  reason: string | null;
  created_ms: number;
}

function fromRow(r: Row): AdmissionDecision {
  return {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    kind: r.kind,
    recommender: r.recommender,
    outcome: r.outcome,
    gpus: r.gpus,
    workers: r.workers,
    reason: r.reason,
    createdMs: r.created_ms,
  };
}

export class AdmissionDecisions {
  readonly #insert: Statement<Row>;
  readonly #recent: Statement<[number], Row>;
  readonly #count: Statement<[], { n: number }>;
  readonly #prune: Statement<[number]>;
  readonly #db: Database;

  constructor(db: Database) {
    // A reinvoked review reuses its uid: the row keeps the last answer given, which is the one that stuck.
    this.#insert = db.prepare<Row>(`
      INSERT INTO admission_decisions (uid, namespace, name, kind, recommender, outcome, gpus, workers, reason, created_ms)
      VALUES (@uid, @namespace, @name, @kind, @recommender, @outcome, @gpus, @workers, @reason, @created_ms)
      ON CONFLICT (uid) DO UPDATE SET
        namespace = excluded.namespace, name = excluded.name, kind = excluded.kind, recommender = excluded.recommender,
        outcome = excluded.outcome, gpus = excluded.gpus, workers = excluded.workers, reason = excluded.reason,
        created_ms = excluded.created_ms`);
    this.#recent = db.prepare<[number], Row>("SELECT * FROM admission_decisions ORDER BY created_ms DESC, rowid DESC LIMIT ?");
    this.#count = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM admission_decisions");
    this.#prune = db.prepare<[number]>("DELETE FROM admission_decisions WHERE rowid IN (SELECT rowid FROM admission_decisions ORDER BY created_ms ASC, rowid ASC LIMIT ?)");
    this.#db = db;
  }

  /** Inserts a batch in one transaction (one fsync) and trims the table to the newest `keep` rows. */
  insertBatch(decisions: readonly AdmissionDecision[], keep: number): void {
    this.#db.transaction(() => {
      for (const d of decisions) this.insert(d);
      const { n } = this.#count.get()!;
      if (n > keep) this.#prune.run(n - keep);
    })();
  }

  insert(d: AdmissionDecision): void {
    this.#insert.run({
      uid: d.uid,
      namespace: d.namespace,
      name: d.name,
      kind: d.kind,
      recommender: d.recommender,
      outcome: d.outcome,
      gpus: d.gpus,
      workers: d.workers,
      reason: d.reason,
      created_ms: d.createdMs,
    });
  }

  /** Newest first. */
  recent(limit: number): AdmissionDecision[] {
    return this.#recent.all(limit).map(fromRow);
  }
}

/** Work list of the asynchronous ADO gate loop: jobs admitted gated, waiting for their recommendation. */
import type { Database, Statement } from "better-sqlite3";

export interface PendingRightsizingEntry {
  namespace: string;
  name: string;
  kind: string;
  /** Set once the request has been submitted to ADO. */
  adoRequestId: string | null;
  /** What the recommendation is computed from (tuning inputs); stored as JSON, parsed by the loop. */
  inputs: unknown;
  createdMs: number;
}

interface Row {
  namespace: string;
  name: string;
  kind: string;
  ado_request_id: string | null;
  inputs_json: string;
  created_ms: number;
}

function fromRow(r: Row): PendingRightsizingEntry {
  return {
    namespace: r.namespace,
    name: r.name,
    kind: r.kind,
    adoRequestId: r.ado_request_id,
    inputs: JSON.parse(r.inputs_json) as unknown,
    createdMs: r.created_ms,
  };
}

export class PendingRightsizing {
  readonly #upsert: Statement<Row>;
  readonly #get: Statement<[string, string], Row>;
  readonly #delete: Statement<[string, string]>;
  readonly #list: Statement<[], Row>;

  constructor(db: Database) {
    this.#upsert = db.prepare<Row>(`
      INSERT INTO pending_rightsizing (namespace, name, kind, ado_request_id, inputs_json, created_ms)
      VALUES (@namespace, @name, @kind, @ado_request_id, @inputs_json, @created_ms)
      ON CONFLICT (namespace, name) DO UPDATE SET
        kind = excluded.kind, ado_request_id = excluded.ado_request_id,
        inputs_json = excluded.inputs_json, created_ms = excluded.created_ms`);
    this.#get = db.prepare<[string, string], Row>("SELECT * FROM pending_rightsizing WHERE namespace = ? AND name = ?");
    this.#delete = db.prepare<[string, string]>("DELETE FROM pending_rightsizing WHERE namespace = ? AND name = ?");
    this.#list = db.prepare<[], Row>("SELECT * FROM pending_rightsizing ORDER BY created_ms, namespace, name");
  }

  upsert(p: PendingRightsizingEntry): void {
    const inputsJson = JSON.stringify(p.inputs);
    if (inputsJson === undefined) throw new TypeError(`pending rightsizing ${p.namespace}/${p.name}: inputs are not JSON-serialisable`);
    this.#upsert.run({
      namespace: p.namespace,
      name: p.name,
      kind: p.kind,
      ado_request_id: p.adoRequestId,
      inputs_json: inputsJson,
      created_ms: p.createdMs,
    });
  }

  get(namespace: string, name: string): PendingRightsizingEntry | undefined {
    const row = this.#get.get(namespace, name);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Returns whether a row was removed. */
  delete(namespace: string, name: string): boolean {
    return this.#delete.run(namespace, name).changes > 0;
  }

  /** Oldest first: the loop works in admission order. */
  list(): PendingRightsizingEntry[] {
    return this.#list.all().map(fromRow);
  }
}

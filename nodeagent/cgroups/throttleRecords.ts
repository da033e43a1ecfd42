/** Originals of the cgroup files the agent has written (table `cgroup_throttles`, migration 5). */
import type { Database, Statement } from "better-sqlite3";

export type ThrottledFile = "io.max" | "cpu.max";

export interface ThrottleRecord {
  podUid: string;
  file: ThrottledFile;
  /** Pod cgroup directory relative to the cgroup root. */
  cgroupDir: string;
  /** The file's content before our first write, byte for byte. */
  original: string;
  /** The content read back after our last write; null until a write completed. */
  applied: string | null;
  createdMs: number;
  updatedMs: number;
}

interface Row {
  pod_uid: string;
  file: ThrottledFile;
  cgroup_dir: string;
  original: string;
  applied: string | null;
  created_ms: number;
  updated_ms: number;
}

const fromRow = (r: Row): ThrottleRecord => ({
  podUid: r.pod_uid,
  file: r.file,
  cgroupDir: r.cgroup_dir,
  original: r.original,
  applied: r.applied,
  createdMs: r.created_ms,
  updatedMs: r.updated_ms,
});

export class ThrottleRecords {
  readonly #insert: Statement<Row>;
  readonly #get: Statement<[string, string], Row>;
  readonly #setApplied: Statement<[string, number, string, string]>;
  readonly #delete: Statement<[string, string]>;
  readonly #list: Statement<[], Row>;
  readonly #listPod: Statement<[string], Row>;

  constructor(db: Database) {
    // INSERT OR IGNORE: the first original wins; a later call must never overwrite it with a throttled value.
    this.#insert = db.prepare<Row>(`
      INSERT OR IGNORE INTO cgroup_throttles (pod_uid, file, cgroup_dir, original, applied, created_ms, updated_ms)
      VALUES (@pod_uid, @file, @cgroup_dir, @original, @applied, @created_ms, @updated_ms)`);
    this.#get = db.prepare<[string, string], Row>("SELECT * FROM cgroup_throttles WHERE pod_uid = ? AND file = ?");
    this.#setApplied = db.prepare<[string, number, string, string]>("UPDATE cgroup_throttles SET applied = ?, updated_ms = ? WHERE pod_uid = ? AND file = ?");
    this.#delete = db.prepare<[string, string]>("DELETE FROM cgroup_throttles WHERE pod_uid = ? AND file = ?");
    this.#list = db.prepare<[], Row>("SELECT * FROM cgroup_throttles ORDER BY created_ms, pod_uid, file");
    this.#listPod = db.prepare<[string], Row>("SELECT * FROM cgroup_throttles WHERE pod_uid = ? ORDER BY file");
  }

  /** Records the original unless one is already recorded; returns the record in force. */
  recordOriginal(podUid: string, file: ThrottledFile, cgroupDir: string, original: string, nowMs: number): ThrottleRecord {
    this.#insert.run({ pod_uid: podUid, file, cgroup_dir: cgroupDir, original, applied: null, created_ms: nowMs, updated_ms: nowMs });
    return this.get(podUid, file)!;
  }

  get(podUid: string, file: ThrottledFile): ThrottleRecord | undefined {
    const row = this.#get.get(podUid, file);
    return row === undefined ? undefined : fromRow(row);
  }

  setApplied(podUid: string, file: ThrottledFile, applied: string, nowMs: number): void {
    this.#setApplied.run(applied, nowMs, podUid, file);
  }

  delete(podUid: string, file: ThrottledFile): boolean {
    return this.#delete.run(podUid, file).changes > 0;
  }

  /** Oldest first. */
  list(): ThrottleRecord[] {
    return this.#list.all().map(fromRow);
  }

  forPod(podUid: string): ThrottleRecord[] {
    return this.#listPod.all(podUid).map(fromRow);
  }
}

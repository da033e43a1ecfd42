/**
 * The embedded SQLite store (better-sqlite3, synchronous: a query costs microseconds, so handlers need
 * no async plumbing). One file per process under the state directory; ":memory:" for tests.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import type { Logger } from "../log.js";
import { migrate, MIGRATIONS, type Migration } from "./migrations.js";

/**
 * How long a writer waits for another connection's lock before SQLITE_BUSY. Writes here are single-row
 * and take well under a millisecond, so 5 s only runs out when something is badly stuck.
 */
export const BUSY_TIMEOUT_MS = 5_000;

export interface Store {
  readonly db: Database;
  /** Schema version after migrations. */
  readonly schemaVersion: number;
  /** Idempotent. */
  close(): void;
}

export interface OpenStoreOptions {
  /** Tests pass their own list (e.g. to simulate a newer build); production uses MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating the parent directory) and migrates. Pragmas:
 * - `journal_mode = WAL`: readers (HTTP handlers) never block the writer loop, and a crash mid-write
 *   leaves the last committed state intact.
 * - `synchronous = FULL`: in WAL mode NORMAL skips the fsync at commit, so a commit survives kill -9 but
 *   can be lost on power failure or a node crash. We promise that no acknowledged write is lost
 *   (observations, spend ledger), so each commit is fsynced; our write rate (a few per second) makes
 *   the cost irrelevant.
 * - `busy_timeout`: see BUSY_TIMEOUT_MS. `foreign_keys = ON`: SQLite leaves them off by default.
 * Throws StewardError STORE_MIGRATION when the file was written by a newer schema.
 */
export function openStore(path: string, log: Logger, opts: OpenStoreOptions = {}): Store {
  const inMemory = path === ":memory:";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
  try {
    // An in-memory database has no journal file; it reports "memory" and stays that way.
    const journalMode = db.pragma("journal_mode = WAL", { simple: true });
    db.pragma("synchronous = FULL");
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma("foreign_keys = ON");
    const { applied, version } = migrate(db, opts.migrations ?? MIGRATIONS);
    // Some filesystems (network mounts) cannot hold the WAL's shared memory; SQLite then keeps its old journal.
    if (!inMemory && journalMode !== "wal") log.warn({ file: path, result: String(journalMode) }, "store not in WAL mode");
    log.info({ file: path, result: applied.length > 0 ? `migrated to schema ${version}` : `schema ${version}` }, "store opened");
    let closed = false;
    return {
      db,
      schemaVersion: version,
      close() {
        if (closed) return;
        closed = true;
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

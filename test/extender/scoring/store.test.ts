import { rmSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isScoringInputError, ScoringModel, type Observation } from "../../../core/scoring/index.js";
import { openScoringState, type ScoringStoreOptions } from "../../../extender/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { isStewardError } from "../../../platform/errors.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { silentLog, tempDir } from "./scoringApp.js";

const obs = (gpuType: string, runtimeS: number, colocatedJobTypes: string[] = []): Observation => ({ jobType: "bert", gpuType, runtimeS, colocatedJobTypes });

describe("scoring store", () => {
  let dir: string;
  let path: string;
  const stores: Store[] = [];
  let clock: ManualClock;
  const openDb = (): Store => {
    const s = openStore(path, silentLog);
    stores.push(s);
    return s;
  };
  const open = (opts: ScoringStoreOptions = {}) => {
    const db = openDb().db;
    return { db, ...openScoringState(db, clock, silentLog, { timer: false, ...opts }) };
  };
  const journalIds = (db: BetterSqlite3.Database) => (db.prepare("SELECT id FROM scoring_observations ORDER BY id").all() as { id: number }[]).map((r) => r.id);
  const checkpointRow = (db: BetterSqlite3.Database) => db.prepare("SELECT through_observation_id AS through, saved_ms AS savedMs FROM scoring_model").get();

  beforeEach(() => {
    clock = new ManualClock(1_700_000_000_000);
    dir = tempDir();
    path = join(dir, "steward.db");
  });
  afterEach(() => {
    stores.splice(0).forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds migration 2: the journal and the one-row model table", () => {
    const { db, schemaVersion } = openDb();
    expect(schemaVersion).toBeGreaterThanOrEqual(2);
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["scoring_observations", "scoring_model"]));
    expect(() => db.prepare("INSERT INTO scoring_model VALUES (2, '{}', 0, 0)").run()).toThrow(/CHECK constraint/);
  });

  it("commits an observation before observe returns: another connection sees it at once", () => {
    const a = open();
    const { id } = a.store.observe(obs("A100", 5));
    const other = new BetterSqlite3(path, { readonly: true });
    try {
      expect(other.prepare("SELECT job_type, gpu_type, runtime_s, colocated_json FROM scoring_observations WHERE id = ?").get(id)).toEqual({
        job_type: "bert",
        gpu_type: "A100",
        runtime_s: 5,
        colocated_json: "[]",
      });
    } finally {
      other.close();
    }
  });

  it("keeps every observation across close and reopen (final checkpoint, empty journal)", () => {
    const a = open();
    a.store.observe(obs("A100", 5));
    a.store.observe(obs("A100", 6));
    a.store.observe(obs("A100", 12, ["hog"]));
    const want = a.model.snapshot();
    a.close();
    expect(journalIds(a.db)).toEqual([]);
    stores.splice(0).forEach((s) => s.close());
    const b = open();
    expect(b.model.snapshot()).toEqual(want);
    expect(b.model.interferencePenalty("bert", ["hog"])).toBeGreaterThan(0);
  });

  it("replays the journal when the previous process never checkpointed", () => {
    const a = open();
    for (const x of [5, 5.2, 4.8]) a.store.observe(obs("A100", x));
    const want = a.model.snapshot();
    stores.splice(0).forEach((s) => s.close()); // no a.close(): as after a crash
    const b = open();
    expect(checkpointRow(b.db)).toBeUndefined();
    expect(b.model.snapshot()).toEqual(want);
    expect(b.store.pendingObservations()).toBe(3);
  });

  it("checkpoints every N observations and prunes the journal it covers", () => {
    const a = open({ checkpointEveryObservations: 3 });
    for (let i = 1; i <= 7; i++) a.store.observe(obs(`gpu-${i % 2}`, i));
    expect(checkpointRow(a.db)).toEqual({ through: 6, savedMs: 1_700_000_000_000 });
    expect(journalIds(a.db)).toEqual([7]);
    expect(a.store.pendingObservations()).toBe(1);
    expect(a.store.checkpointsSaved).toBe(2);
  });

  it("checkpoints on the clock when observations have waited an interval", () => {
    const a = open({ checkpointIntervalMs: 60_000 });
    a.store.observe(obs("A100", 5));
    expect(a.store.checkpointIfDue()).toBe(false);
    clock.advance(60_000);
    expect(a.store.checkpointIfDue()).toBe(true);
    expect(journalIds(a.db)).toEqual([]);
    clock.advance(60_000);
    expect(a.store.checkpointIfDue()).toBe(false); // nothing pending
  });

  it("polls the checkpoint on a timer it stops at close", () => {
    vi.useFakeTimers();
    try {
      const a = open({ checkpointIntervalMs: 60_000, timer: true });
      a.store.observe(obs("A100", 5));
      clock.advance(60_000);
      vi.advanceTimersByTime(60_000);
      expect(a.store.checkpointsSaved).toBe(1);
      a.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("never reuses a journal id after pruning, so later observations are replayed", () => {
    const a = open();
    a.store.observe(obs("A100", 5));
    a.store.checkpoint();
    expect(journalIds(a.db)).toEqual([]);
    expect(a.store.observe(obs("A100", 7)).id).toBe(2);
    const want = a.model.snapshot();
    stores.splice(0).forEach((s) => s.close());
    expect(open().model.snapshot()).toEqual(want);
  });

  it("stores nothing for an observation the model refuses", () => {
    const a = open();
    let caught: unknown;
    try {
      a.store.observe(obs("A100", -1));
    } catch (err) {
      caught = err;
    }
    expect(isScoringInputError(caught) && caught.field).toBe("runtimeS");
    expect(journalIds(a.db)).toEqual([]);
    expect(a.store.pendingObservations()).toBe(0);
  });

  it("keeps answering when a checkpoint fails, counts it, and keeps the journal", () => {
    const a = open({ checkpointEveryObservations: 1 });
    a.db.exec("DROP TABLE scoring_model");
    expect(a.store.observe(obs("A100", 5)).id).toBe(1);
    expect(a.store.checkpointFailures).toBe(1);
    expect(journalIds(a.db)).toEqual([1]);
  });

  it("refuses to start from a checkpoint it cannot read", () => {
    const { db } = openDb();
    db.prepare("INSERT INTO scoring_model VALUES (1, ?, 0, 0)").run(JSON.stringify({ schemaVersion: 9, stats: [], interference: [] }));
    let caught: unknown;
    try {
      openScoringState(db, clock, silentLog, { timer: false });
    } catch (err) {
      caught = err;
    }
    expect(isStewardError(caught, "STORE_MIGRATION")).toBe(true);
    expect((caught as Error).message).toMatch(/^stored scoring model is unreadable: snapshot.schemaVersion/);
  });

  it("skips a journal row the model refuses and loads the rest", () => {
    const { db } = openDb();
    const insert = db.prepare("INSERT INTO scoring_observations (job_type, gpu_type, runtime_s, colocated_json, observed_ms) VALUES (?, ?, ?, ?, 0)");
    insert.run("bert", "A100", 5, "[]");
    insert.run("bert", "A100", -3, "[]");
    insert.run("bert", "L4", 8, "[]");
    const state = openScoringState(db, clock, silentLog, { timer: false });
    const want = new ScoringModel();
    want.observe(obs("A100", 5), 0);
    want.observe(obs("L4", 8), 0);
    expect(state.model.snapshot()).toEqual(want.snapshot());
  });
});

/** Builds the scoring API over a real SQLite file in a temp dir, for the supertest suites. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express, { type Express } from "express";
import { Registry } from "prom-client";
import type { ScoringConfigInput } from "../../../core/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { createScoringApi, openScoringState, ScoringMetrics, type ScoringState, type ScoringStoreOptions } from "../../../extender/scoring/index.js";

export const silentLog = createLogger({ level: "silent" });

export interface ScoringFixture {
  app: Express;
  state: ScoringState;
  registry: Registry;
  clock: ManualClock;
  dbPath: string;
  /** Closes the state (final checkpoint) and the database, keeping the directory. */
  close(): void;
  /** Closes and removes the temp dir. */
  dispose(): void;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "steward-scoring-"));
}

export function openScoringFixture(
  opts: { dir?: string; config?: ScoringConfigInput; store?: Omit<ScoringStoreOptions, "config">; maxBodyBytes?: number; observeRefusal?: () => string | undefined } = {},
): ScoringFixture {
  const dir = opts.dir ?? tempDir();
  const dbPath = join(dir, "steward.db");
  const clock = new ManualClock(1_700_000_000_000);
  const store: Store = openStore(dbPath, silentLog);
  const state = openScoringState(store.db, clock, silentLog, { timer: false, ...opts.store, ...(opts.config && { config: opts.config }) });
  const registry = new Registry();
  const metrics = new ScoringMetrics(registry, state);
  const app = express();
  app.use(createScoringApi({ model: state.model, store: state.store, metrics, log: silentLog, version: "test", ...(opts.maxBodyBytes && { maxBodyBytes: opts.maxBodyBytes }), ...(opts.observeRefusal && { observeRefusal: opts.observeRefusal }) }));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    state.close();
    store.close();
  };
  return {
    app,
    state,
    registry,
    clock,
    dbPath,
    close,
    dispose() {
      close();
      if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

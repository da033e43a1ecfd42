// Child process for durability.test.ts: serves the scoring API over a SQLite file, prints its port, and
// waits to be killed with SIGKILL. Its clock stands still (at argv[4]) so the test can rebuild the expected model.
import express from "express";
import { Registry } from "prom-client";
import { createScoringApi, openScoringState, ScoringMetrics } from "../../../extender/scoring/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";

const [path, every, clockMs] = process.argv.slice(2);
if (!path || !every || !clockMs) throw new Error("usage: killedScorer.ts <db path> <checkpoint every N observations> <clock ms>");
const log = createLogger({ level: "silent" });
const store = openStore(path, log);
const state = openScoringState(store.db, new ManualClock(Number(clockMs)), log, { timer: false, checkpointEveryObservations: Number(every) });
const app = express().use(createScoringApi({ model: state.model, store: state.store, metrics: new ScoringMetrics(new Registry(), state), log }));
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === "object" && address !== null ? address.port : 0}\n`);
});

/**
 * The spend loop a validated config asks for, with its store, source and metrics: what the
 * composition root calls once. Undefined when spend routing is off (`source: none`).
 */
import type { Database } from "better-sqlite3";
import type { Registry } from "prom-client";
import type { Clock } from "../../platform/clock.js";
import type { Wait } from "../../platform/kube/leader.js";
import type { Logger } from "../../platform/log.js";
import { spendControllerConfig, type SpendLoopConfig } from "./config.js";
import { SpendLoop } from "./loop.js";
import { SpendMetrics } from "./metrics.js";
import { spendSourceFromConfig, type SpendSourceDeps } from "./sourceFromConfig.js";
import { SqliteSpendStates } from "./stateStore.js";

export interface SpendLoopWiring {
  config: SpendLoopConfig;
  /** The process's store (migration 3 applied by openStore). */
  db: Database;
  registry: Registry;
  clock: Clock;
  log: Logger;
  sources?: SpendSourceDeps;
  sleep?: Wait;
}

export function createSpendLoop(w: SpendLoopWiring): SpendLoop | undefined {
  const source = spendSourceFromConfig(w.config, w.sources);
  if (source === undefined) return undefined;
  // The gauges read the loop's current decision on scrape, so the metrics are made before the loop they read.
  let loop: SpendLoop | undefined;
  const metrics = new SpendMetrics(w.registry, () => loop?.current());
  loop = new SpendLoop(
    { pool: w.config.pool, baselinePct: w.config.baselinePct, spend: spendControllerConfig(w.config), periodMs: w.config.periodS * 1000 },
    { source, states: new SqliteSpendStates(w.db), clock: w.clock, log: w.log, metrics, ...(w.sleep !== undefined && { sleep: w.sleep }) },
  );
  return loop;
}

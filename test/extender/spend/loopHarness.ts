/**
 * A spend loop over an in-memory (or file) store, the fixed source and a ManualClock; logs are kept
 * as parsed lines so tests can check codes. Time starts mid-June 2025 (UTC), the month of the seed's
 * vectors.
 */
import { Registry } from "prom-client";
import { DEFAULT_SPEND_CONFIG, type SpendConfig } from "../../../core/spend/index.js";
import { ManualClock } from "../../../platform/clock.js";
import type { Wait } from "../../../platform/kube/leader.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { SpendLoop, SpendMetrics, SqliteSpendStates, type SpendLoopOptions } from "../../../extender/spend/index.js";
import { FixedSpendSource, type SpendFigures } from "../../../extender/spend/sources/index.js";

export const JUNE_16_NOON_MS = Date.UTC(2025, 5, 16, 12);
export const HOUR_MS = 3_600_000;
/** $500k budget, 2 % margin: target $490k; on June 16 at noon the continuous ideal is 15.5/30 of it. */
export const SPEND_CONFIG: SpendConfig = { ...DEFAULT_SPEND_CONFIG, budgetUsd: 500_000 };
export const BEHIND: SpendFigures = { monthToDateUsd: 200_000, dailyRateUsd: 15_000 };

export interface LoopFixture {
  clock: ManualClock;
  source: FixedSpendSource;
  store: Store;
  registry: Registry;
  loop: SpendLoop;
  logs: Array<Record<string, unknown>>;
  /** A second loop over the same store that never runs: what a follower replica sees. */
  follower(): SpendLoop;
  dispose(): void;
}

export function loopFixture(opts: { path?: string; figures?: SpendFigures; loop?: Partial<SpendLoopOptions>; startMs?: number; sleep?: (clock: ManualClock) => Wait } = {}): LoopFixture {
  const clock = new ManualClock(opts.startMs ?? JUNE_16_NOON_MS);
  const source = new FixedSpendSource(opts.figures ?? BEHIND);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const store = openStore(opts.path ?? ":memory:", createLogger({ level: "silent" }));
  const registry = new Registry();
  const options: SpendLoopOptions = { pool: "credits", baselinePct: 35, spend: SPEND_CONFIG, periodMs: HOUR_MS, ...opts.loop };
  const sleep = opts.sleep?.(clock);
  const make = (metrics?: SpendMetrics) =>
    new SpendLoop(options, { source, states: new SqliteSpendStates(store.db), clock, log, ...(metrics && { metrics }), ...(sleep && { sleep }) });
  let loop: SpendLoop | undefined;
  const metrics = new SpendMetrics(registry, () => loop?.current());
  loop = make(metrics);
  return { clock, source, store, registry, loop, logs, follower: () => make(), dispose: () => store.close() };
}

/** The value of one series, or undefined when it is not exported. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value;
}

/**
 * The embedded ledger's memory (§D, allocation view): which GPU pods held how many GPUs on credit-pool
 * nodes, and when. Every replica keeps it from its own cluster view, in its own SQLite, so a replica
 * that takes over the spend loop already has the month's history.
 *
 * A sample (`reconcile`, every `sampleMs` and before each read) opens a row for each pool pod not yet
 * recorded, from its `status.startTime` (so a pod already running when we first see it counts from
 * its real start), and closes at the sample's time every open row whose pod left the view (finished,
 * failed, deleted). A pod's end is therefore late by at most one sample, and time the process was
 * down counts as still running: both err towards a higher spend, the side that cannot overspend.
 * No sample is taken before the view has listed the cluster: an empty view would close every row.
 */
import type { Database, Statement } from "better-sqlite3";
import type { GpuUsage } from "../../core/spend/index.js";
import type { Clock } from "../../platform/clock.js";
import { unrefWait, type Wait } from "../../platform/kube/leader.js";
import type { ClusterView } from "../../platform/kube/clusterView.js";
import type { Logger } from "../../platform/log.js";
import { StewardError } from "../../platform/errors.js";

/** Ends are at most this late; small beside hours-long GPU jobs, and one indexed query per sample. */
export const DEFAULT_LEDGER_SAMPLE_MS = 30_000;
const DAY_MS = 86_400_000;
/** A spend decision at start waits this long for the first list, then fails (and is retried next period). */
export const DEFAULT_LEDGER_SYNC_WAIT_MS = 30_000;
/** A read needs this month (31 days) and the lookback (≤ 31 days); rows ended before that are dropped. */
export const LEDGER_RETENTION_MS = 70 * DAY_MS;

export interface UsageLedgerDeps {
  /** Migration 7 applied (openStore). */
  db: Database;
  view: Pick<ClusterView, "poolPods">;
  /** The credit pool's `gpu-steward.io/pool` value. */
  pool: string;
  /** True once the view has listed nodes and pods. */
  isSynced: () => boolean;
  /** Resolves when it is; a read waits for it (bounded by `syncWaitMs`) rather than price an empty view. */
  whenSynced?: () => Promise<void>;
  syncWaitMs?: number;
  clock: Clock;
  log: Logger;
  sampleMs?: number;
  wait?: Wait;
}

export interface LedgerSample {
  opened: number;
  closed: number;
  running: number;
}

interface UsageRow {
  pod_uid: string;
  gpus: number;
  start_ms: number;
  end_ms: number | null;
}

export class UsageLedger {
  readonly #d: UsageLedgerDeps;
  readonly #open: Statement<{ pod_uid: string; pool: string; gpus: number; start_ms: number }>;
  readonly #openRows: Statement<[string], Pick<UsageRow, "pod_uid">>;
  readonly #close: Statement<{ pod_uid: string; now: number }>;
  readonly #prune: Statement<[number]>;
  readonly #read: Statement<[string, number], UsageRow>;

  constructor(deps: UsageLedgerDeps) {
    this.#d = deps;
    const db = deps.db;
    // A pod back in the view after its row was closed (a relist that missed it) runs again from its
    // old start: the gap counts as used, the side that cannot overspend.
    this.#open = db.prepare(`
      INSERT INTO gpu_usages (pod_uid, pool, gpus, start_ms, end_ms) VALUES (@pod_uid, @pool, @gpus, @start_ms, NULL)
      ON CONFLICT (pod_uid) DO UPDATE SET end_ms = NULL`);
    this.#openRows = db.prepare("SELECT pod_uid FROM gpu_usages WHERE end_ms IS NULL AND pool = ?");
    this.#close = db.prepare("UPDATE gpu_usages SET end_ms = MAX(start_ms, @now) WHERE pod_uid = @pod_uid AND end_ms IS NULL");
    this.#prune = db.prepare("DELETE FROM gpu_usages WHERE end_ms IS NOT NULL AND end_ms < ?");
    this.#read = db.prepare("SELECT pod_uid, gpus, start_ms, end_ms FROM gpu_usages WHERE pool = ? AND (end_ms IS NULL OR end_ms >= ?)");
  }

  /** One sample; undefined (nothing written) until the view is synced. */
  reconcile(nowMs = this.#d.clock.nowMs()): LedgerSample | undefined {
    if (!this.#d.isSynced()) return undefined;
    const now = Math.floor(nowMs);
    const pool = this.#d.pool;
    const pods = this.#d.view.poolPods(pool);
    return this.#d.db.transaction((): LedgerSample => {
      const wasOpen = new Set(this.#openRows.all(pool).map((r) => r.pod_uid));
      const present = new Set<string>();
      let opened = 0;
      for (const p of pods) {
        present.add(p.key);
        if (wasOpen.has(p.key)) continue;
        // A start in the future (the kubelet's clock ahead of ours) counts from now.
        const start = Math.min(now, Math.floor(p.startMs ?? now));
        this.#open.run({ pod_uid: p.key, pool, gpus: p.gpus, start_ms: start });
        opened++;
      }
      let closed = 0;
      for (const uid of wasOpen) if (!present.has(uid)) closed += this.#close.run({ pod_uid: uid, now }).changes;
      this.#prune.run(now - LEDGER_RETENTION_MS);
      return { opened, closed, running: pods.length };
    })();
  }

  /**
   * What the ledger source prices: every usage that may overlap this month or the lookback, after a
   * fresh sample. Before the view's first list it waits (bounded), then refuses with SPEND_SOURCE: a
   * decision from rows that were never reconciled would price pods long gone as still running, or
   * miss new ones.
   */
  async usages(): Promise<GpuUsage[]> {
    if (!this.#d.isSynced()) await this.#waitForSync();
    if (!this.#d.isSynced()) throw new StewardError("SPEND_SOURCE", "ledger: the cluster view has not listed nodes and pods yet; no spend figures until it has", "ledger");
    const nowMs = this.#d.clock.nowMs();
    this.reconcile(nowMs);
    return this.#read.all(this.#d.pool, Math.floor(nowMs) - LEDGER_RETENTION_MS).map((r) => ({ gpus: r.gpus, pool: this.#d.pool, startMs: r.start_ms, endMs: r.end_ms }));
  }

  async #waitForSync(): Promise<void> {
    const whenSynced = this.#d.whenSynced;
    if (whenSynced === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#d.syncWaitMs ?? DEFAULT_LEDGER_SYNC_WAIT_MS);
      timer.unref();
    });
    try {
      await Promise.race([whenSynced().catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Samples every `sampleMs` until `signal` aborts. A failed sample is logged; the next one retries. */
  async run(signal: AbortSignal): Promise<void> {
    const wait = this.#d.wait ?? unrefWait;
    const every = this.#d.sampleMs ?? DEFAULT_LEDGER_SAMPLE_MS;
    while (!signal.aborted) {
      try {
        const sample = this.reconcile();
        if (sample && (sample.opened > 0 || sample.closed > 0)) this.#d.log.debug({ pool: this.#d.pool, ...sample }, "spend ledger sampled");
      } catch (err) {
        this.#d.log.error({ err, code: "INTERNAL", pool: this.#d.pool }, "spend ledger sample failed; retrying next sample");
      }
      await wait(every, signal);
    }
  }
}

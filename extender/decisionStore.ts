/**
 * Placement decisions in SQLite, so `GET /v1/decisions/{ns}/{pod}` still answers after a restart.
 * Off the request path: writes are queued and flushed in one transaction per interval (a decision is
 * an explanation, not an acknowledged write; losing the last interval's worth on a crash is fine).
 * Bounded to the newest `maxRows` decisions.
 */
import type { Database, Statement } from "better-sqlite3";
import type { Logger } from "../platform/log.js";
import type { DecisionSink, PlacementDecision } from "./decisions.js";

export class SqliteDecisionSink implements DecisionSink {
  private pending = new Map<string, PlacementDecision>();
  private readonly upsert: Statement;
  private readonly select: Statement;
  private readonly count: Statement;
  private readonly prune: Statement;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly opts: { maxRows: number; flushIntervalMs?: number; timer?: boolean },
  ) {
    this.upsert = db.prepare("INSERT OR REPLACE INTO placement_decisions (namespace, pod, at_ms, decision_json) VALUES (?, ?, ?, ?)");
    this.select = db.prepare("SELECT decision_json FROM placement_decisions WHERE namespace = ? AND pod = ?");
    this.count = db.prepare("SELECT count(*) AS n FROM placement_decisions");
    this.prune = db.prepare("DELETE FROM placement_decisions WHERE rowid IN (SELECT rowid FROM placement_decisions ORDER BY at_ms ASC LIMIT ?)");
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.flush(), opts.flushIntervalMs ?? 1_000);
      this.timer.unref();
    }
  }

  write(decision: PlacementDecision): void {
    const key = `${decision.namespace}/${decision.pod}`;
    this.pending.delete(key);
    this.pending.set(key, decision);
  }

  read(namespace: string, pod: string): PlacementDecision | undefined {
    const queued = this.pending.get(`${namespace}/${pod}`);
    if (queued) return queued;
    try {
      const row = this.select.get(namespace, pod) as { decision_json: string } | undefined;
      return row ? (JSON.parse(row.decision_json) as PlacementDecision) : undefined;
    } catch (err) {
      this.log.warn({ err, namespace, pod }, "placement decision not readable");
      return undefined;
    }
  }

  /** Writes what is queued in one transaction and trims to `maxRows`. Never throws. */
  flush(): void {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      this.db.transaction(() => {
        for (const d of batch.values()) this.upsert.run(d.namespace, d.pod, d.atMs, JSON.stringify(d));
        const { n } = this.count.get() as { n: number };
        if (n > this.opts.maxRows) this.prune.run(n - this.opts.maxRows);
      })();
    } catch (err) {
      this.log.warn({ err, decisions: batch.size }, "placement decisions not persisted");
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}

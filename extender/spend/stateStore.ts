/**
 * The spend loop's durable memory (table `spend_state`, migration 3): per pool, the PID state and the
 * decision taken with it. The loop saves a row before it publishes the decision, so after a restart
 * (or on a replica that reads the same file) the next decision continues the same integral, and the
 * last routing can be served until a newer one is made.
 */
import type { Database, Statement } from "better-sqlite3";
import { z } from "zod";
import { parseSpendState, type SpendDecision, type SpendState } from "../../core/spend/index.js";
import type { SpendFigures } from "./sources/index.js";

/** One decision of the loop with everything it was made from. */
export interface SpendRecord {
  /** `gpu-steward.io/pool` value of the credit pool. */
  pool: string;
  /** The PID state after this decision: what the next one starts from. */
  state: SpendState;
  decision: SpendDecision;
  figures: SpendFigures;
  /** Name of the source that gave the figures (`opencost`, `prometheus`, `ledger`, `fixed`). */
  source: string;
  /** When the decision was made (the loop's clock), epoch ms. */
  updatedMs: number;
}

/** Port: the SQLite table below in production; any keeper of the last record per pool will do. */
export interface SpendStates {
  load(pool: string): SpendRecord | undefined;
  /** Durable when it returns (the store commits with synchronous = FULL). */
  save(record: SpendRecord): void;
}

const finite = z.number().refine(Number.isFinite, "expected a finite number");

/** A stored decision read back: ours, but checked, so a hand-edited row fails here and not in a handler. */
const StoredDecision = z.object({
  routingPct: finite.min(0).max(100),
  reason: z.enum(["atTarget", "projectedAtTarget", "controlled"]),
  month: z.string().regex(/^\d{4}-\d\d$/),
  dayOfMonth: z.number().int().min(1).max(31),
  daysInMonth: z.number().int().min(28).max(31),
  targetUsd: finite,
  idealUsd: finite,
  errorPct: finite,
  targetDailyUsd: finite,
  basePct: finite,
  adjustmentPct: finite,
  components: z.object({ p: finite, i: finite, d: finite }),
});

const SharedRecord = z.object({
  pool: z.string().min(1),
  state: z.unknown(),
  decision: StoredDecision,
  figures: z.object({ monthToDateUsd: finite.min(0), dailyRateUsd: finite.min(0) }),
  source: z.string().min(1),
  updatedMs: z.number().int().min(0),
});

/**
 * A record from elsewhere (the leader's shared-state snapshot), checked like a stored row. Throws a
 * ZodError or SpendInputError naming the bad field.
 */
export function parseSpendRecord(value: unknown): SpendRecord {
  const r = SharedRecord.parse(value);
  return { ...r, state: parseSpendState(r.state) };
}

interface Row {
  pool: string;
  state_json: string;
  decision_json: string;
  month_to_date_usd: number;
  daily_rate_usd: number;
  source: string;
  updated_ms: number;
}

export class SqliteSpendStates implements SpendStates {
  readonly #upsert: Statement<Row>;
  readonly #get: Statement<[string], Row>;

  constructor(db: Database) {
    this.#upsert = db.prepare<Row>(`
      INSERT INTO spend_state (pool, state_json, decision_json, month_to_date_usd, daily_rate_usd, source, updated_ms)
      VALUES (@pool, @state_json, @decision_json, @month_to_date_usd, @daily_rate_usd, @source, @updated_ms)
      ON CONFLICT (pool) DO UPDATE SET
        state_json = excluded.state_json, decision_json = excluded.decision_json,
        month_to_date_usd = excluded.month_to_date_usd, daily_rate_usd = excluded.daily_rate_usd,
        source = excluded.source, updated_ms = excluded.updated_ms`);
    this.#get = db.prepare<[string], Row>("SELECT * FROM spend_state WHERE pool = ?");
  }

  load(pool: string): SpendRecord | undefined {
    const row = this.#get.get(pool);
    if (row === undefined) return undefined;
    return {
      pool: row.pool,
      // Throws SpendInputError naming the bad field (`state.pid.integral`) for a corrupt row.
      state: parseSpendState(JSON.parse(row.state_json)),
      decision: StoredDecision.parse(JSON.parse(row.decision_json)),
      figures: { monthToDateUsd: row.month_to_date_usd, dailyRateUsd: row.daily_rate_usd },
      source: row.source,
      updatedMs: row.updated_ms,
    };
  }

  save(r: SpendRecord): void {
    this.#upsert.run({
      pool: r.pool,
      state_json: JSON.stringify(r.state),
      decision_json: JSON.stringify(r.decision),
      month_to_date_usd: r.figures.monthToDateUsd,
      daily_rate_usd: r.figures.dailyRateUsd,
      source: r.source,
      // The column is INTEGER (STRICT); a fractional clock would be refused.
      updated_ms: Math.floor(r.updatedMs),
    });
  }
}

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isStewardError } from "../../../platform/errors.js";
import { createLogger } from "../../../platform/log.js";
import { migrate, MIGRATIONS, openStore, schemaVersion, type Migration } from "../../../platform/store/index.js";

const log = createLogger({ level: "silent" });
/** The newest schema this build knows; tests below add migrations after it. */
const LATEST = MIGRATIONS.at(-1)?.version ?? 0;

const tables = (db: BetterSqlite3.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

describe("migrate", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-migrate-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the tables of every migration and records each", () => {
    const db = new BetterSqlite3(":memory:");
    expect(migrate(db)).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: LATEST });
    expect(tables(db)).toEqual(expect.arrayContaining(["admission_decisions", "pending_rightsizing", "schema_migrations", "spend_state", "learner_runs", "cgroup_throttles", "placement_decisions"]));
    const rows = db.prepare("SELECT version, name, applied_at FROM schema_migrations ORDER BY version").all() as Array<{ version: number; name: string; applied_at: string }>;
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(rows[0]).toMatchObject({ version: 1, name: MIGRATIONS[0]?.name });
    expect(rows[0]?.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("applies nothing the second time", () => {
    const db = new BetterSqlite3(":memory:");
    migrate(db);
    expect(migrate(db)).toEqual({ applied: [], version: LATEST });
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({ n: MIGRATIONS.length });
  });

  it("applies each migration once across reopen of a file database", () => {
    const path = join(dir, "steward.db");
    openStore(path, log).close();
    const extended: Migration[] = [...MIGRATIONS, { version: LATEST + 1, name: "extra", up: "CREATE TABLE extra (id INTEGER PRIMARY KEY)" }];
    const second = openStore(path, log, { migrations: extended });
    expect(second.schemaVersion).toBe(LATEST + 1);
    second.close();
    const third = openStore(path, log, { migrations: extended });
    expect(third.db.prepare("SELECT version FROM schema_migrations ORDER BY version").all()).toEqual(extended.map(({ version }) => ({ version })));
    third.close();
  });

  it("refuses a database written by a newer build, naming both versions", () => {
    const path = join(dir, "steward.db");
    const newer: Migration[] = [...MIGRATIONS, { version: LATEST + 5, name: "from the future", up: "CREATE TABLE future (id INTEGER)" }];
    openStore(path, log, { migrations: newer }).close();
    let caught: unknown;
    try {
      openStore(path, log);
    } catch (err) {
      caught = err;
    }
    expect(isStewardError(caught, "STORE_MIGRATION")).toBe(true);
    expect((caught as Error).message).toContain(`version ${LATEST + 5} is newer than this build knows (${LATEST})`);
  });

  it("rolls back a failing migration entirely", () => {
    const db = new BetterSqlite3(":memory:");
    const broken: Migration[] = [...MIGRATIONS, { version: LATEST + 1, name: "broken", up: "CREATE TABLE half (id INTEGER); SELECT * FROM missing_table;" }];
    expect(() => migrate(db, broken)).toThrow(/no such table/);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(tables(db)).not.toContain("half");
  });

  it.each([
    { name: "a repeated version", list: [{ version: 1, name: "a", up: "" }, { version: 1, name: "b", up: "" }] },
    { name: "a decreasing version", list: [{ version: 2, name: "a", up: "" }, { version: 1, name: "b", up: "" }] },
    { name: "version zero", list: [{ version: 0, name: "a", up: "" }] },
  ])("rejects a migration list with $name", ({ list }) => {
    const db = new BetterSqlite3(":memory:");
    expect(() => migrate(db, list)).toThrow(/must be a positive integer above the previous one/);
  });

  it("refuses a database whose migration has another name under the same version", () => {
    const db = new BetterSqlite3(":memory:");
    migrate(db);
    const renamed: Migration[] = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, name: "renamed" } : m));
    expect(() => migrate(db, renamed)).toThrow(/migration 1 is ".*" but this build calls it "renamed"/);
  });
});

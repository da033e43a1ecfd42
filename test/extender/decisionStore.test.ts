import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { PlacementDecisions, type PlacementDecision } from "../../extender/decisions.js";
import { SqliteDecisionSink } from "../../extender/decisionStore.js";
import { openStore, type Store } from "../../platform/store/index.js";

const log = pino({ level: "silent" });
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(path: string): Store {
  const store = openStore(path, log);
  stores.push(store);
  return store;
}

const aDecision = (pod: string, atMs: number): PlacementDecision => ({
  namespace: "team-a",
  pod,
  atMs,
  gpus: 2,
  candidates: 3,
  nodes: [{ node: "gpu-1", score: 8, components: { runtime: 1, interference: 1, topology: 0.5, spend: 0.5 } }],
  weights: { runtime: 1, interference: 1, topology: 1, spend: 1 },
});

describe("SqliteDecisionSink", () => {
  it("answers from its queue before a flush, from SQLite after, and across a reopen", () => {
    const path = join(mkdtempSync(join(tmpdir(), "steward-decisions-")), "steward.db");
    const sink = new SqliteDecisionSink(open(path).db, log, { maxRows: 10, timer: false });
    sink.write(aDecision("train-0", 1));
    expect(sink.read("team-a", "train-0")).toMatchObject({ pod: "train-0" });
    sink.flush();
    expect(sink.read("team-a", "train-0")).toEqual(aDecision("train-0", 1));
    sink.close();
    stores.pop()!.close();
    const reopened = new PlacementDecisions({ maxPods: 10, maxNodes: 5, sink: new SqliteDecisionSink(open(path).db, log, { maxRows: 10, timer: false }) });
    expect(reopened.get("team-a", "train-0")).toEqual(aDecision("train-0", 1));
    expect(reopened.get("team-a", "nope")).toBeUndefined();
  });

  it("keeps the newest maxRows decisions, the last write of a pod winning", () => {
    const sink = new SqliteDecisionSink(open(join(mkdtempSync(join(tmpdir(), "steward-decisions-")), "s.db")).db, log, { maxRows: 3, timer: false });
    for (let i = 0; i < 5; i++) sink.write(aDecision(`p${i}`, 100 + i));
    sink.flush();
    sink.write(aDecision("p4", 200));
    sink.flush();
    expect(["p0", "p1"].map((p) => sink.read("team-a", p))).toEqual([undefined, undefined]);
    expect(["p2", "p3", "p4"].map((p) => sink.read("team-a", p)?.atMs)).toEqual([102, 103, 200]);
  });

  it("never throws when the database is gone; the decisions stay readable from memory", () => {
    const store = open(join(mkdtempSync(join(tmpdir(), "steward-decisions-")), "s.db"));
    const sink = new SqliteDecisionSink(store.db, log, { maxRows: 3, timer: false });
    const decisions = new PlacementDecisions({ maxPods: 10, maxNodes: 5, sink });
    decisions.keep(aDecision("p0", 1));
    stores.pop()!.close();
    expect(() => decisions.keep(aDecision("p1", 2))).not.toThrow();
    expect(() => sink.flush()).not.toThrow();
    expect(decisions.get("team-a", "p1")?.atMs).toBe(2);
    expect(decisions.get("team-a", "never-seen")).toBeUndefined();
  });
});

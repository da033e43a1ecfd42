import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../platform/log.js";
import { AdmissionDecisions, openStore, PendingRightsizing, type AdmissionDecision, type PendingRightsizingEntry, type Store } from "../../../platform/store/index.js";

const log = createLogger({ level: "silent" });

const decision = (over: Partial<AdmissionDecision>): AdmissionDecision => ({
  uid: "uid-1",
  namespace: "team-a",
  name: "job-1",
  kind: "PyTorchJob",
  recommender: "embedded",
  outcome: "patched",
  gpus: 4,
  workers: 2,
  reason: null,
  createdMs: 1_000,
  ...over,
});

const pending = (over: Partial<PendingRightsizingEntry>): PendingRightsizingEntry => ({
  namespace: "team-a",
  name: "job-1",
  kind: "PyTorchJob",
  adoRequestId: null,
  inputs: { modelName: "llama-7b", method: "lora", gpusPerWorker: 8 },
  createdMs: 1_000,
  ...over,
});

describe("repositories", () => {
  let store: Store;
  beforeEach(() => {
    store = openStore(":memory:", log);
  });
  afterEach(() => store.close());

  describe("AdmissionDecisions", () => {
    it("round-trips a decision, nulls included", () => {
      const repo = new AdmissionDecisions(store.db);
      const row = decision({ recommender: null, gpus: null, workers: null, reason: "not opted in" });
      repo.insert(row);
      expect(repo.recent(10)).toEqual([row]);
    });

    it("lists newest first, up to the limit", () => {
      const repo = new AdmissionDecisions(store.db);
      repo.insert(decision({ uid: "a", createdMs: 1 }));
      repo.insert(decision({ uid: "b", createdMs: 3 }));
      repo.insert(decision({ uid: "c", createdMs: 2 }));
      expect(repo.recent(2).map((d) => d.uid)).toEqual(["b", "c"]);
    });

    it("keeps the last answer for a reinvoked uid", () => {
      const repo = new AdmissionDecisions(store.db);
      repo.insert(decision({ outcome: "error" }));
      repo.insert(decision({ outcome: "patched", createdMs: 2_000 }));
      expect(repo.recent(10)).toEqual([decision({ outcome: "patched", createdMs: 2_000 })]);
    });
  });

  describe("PendingRightsizing", () => {
    it("round-trips an entry with its JSON inputs", () => {
      const repo = new PendingRightsizing(store.db);
      repo.upsert(pending({}));
      expect(repo.get("team-a", "job-1")).toEqual(pending({}));
      expect(repo.get("team-a", "other")).toBeUndefined();
    });

    it("updates in place on upsert", () => {
      const repo = new PendingRightsizing(store.db);
      repo.upsert(pending({}));
      repo.upsert(pending({ adoRequestId: "req-42" }));
      expect(repo.list()).toEqual([pending({ adoRequestId: "req-42" })]);
    });

    it("lists oldest first and deletes by namespace/name", () => {
      const repo = new PendingRightsizing(store.db);
      repo.upsert(pending({ name: "late", createdMs: 5 }));
      repo.upsert(pending({ name: "early", createdMs: 1 }));
      repo.upsert(pending({ namespace: "team-b", name: "late", createdMs: 3 }));
      expect(repo.list().map((p) => `${p.namespace}/${p.name}`)).toEqual(["team-a/early", "team-b/late", "team-a/late"]);
      expect(repo.delete("team-a", "late")).toBe(true);
      expect(repo.delete("team-a", "late")).toBe(false);
      expect(repo.list()).toHaveLength(2);
    });

    it("refuses inputs that are not JSON", () => {
      const repo = new PendingRightsizing(store.db);
      expect(() => repo.upsert(pending({ inputs: undefined }))).toThrow(/not JSON-serialisable/);
    });
  });
});

import { createServer, type Server } from "node:http";
import { pino } from "pino";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { AdmissionDecisions, openStore, type Store } from "../../platform/store/index.js";
import { AdmissionAudit } from "../../webhook/audit.js";
import { DecisionMemo } from "../../webhook/decisionMemo.js";
import { createMutateHandler } from "../../webhook/handler.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { aHarness } from "./harness.js";

const log = pino({ level: "silent" });
let store: Store | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  store?.close();
  store = server = undefined;
});

describe("admission audit", () => {
  it("keeps one row per review that decided about a job, remembered or not; none for jobs left alone", async () => {
    store = openStore(":memory:", log);
    const table = new AdmissionDecisions(store.db);
    const audit = new AdmissionAudit(table, log, { keep: 100, timer: false });
    const h = aHarness();
    server = createServer(createMutateHandler({ ...h.deps, memo: new DecisionMemo(8), audit }));
    const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
    for (const uid of ["u-1", "u-2", "u-3"]) await request(server).post("/mutate").send(anAdmissionReview(job, { uid })).expect(200);
    const optedOut = structuredClone(job) as { metadata: { labels?: Record<string, string> } };
    optedOut.metadata.labels = {};
    await request(server).post("/mutate").send(anAdmissionReview(optedOut, { uid: "u-4" })).expect(200);
    audit.flush();

    const rows = table.recent(10);
    expect(rows.map((r) => r.uid).sort()).toEqual(["u-1", "u-2", "u-3"]);
    expect(rows[0]).toMatchObject({ namespace: "team-a", kind: "PyTorchJob", recommender: "embedded", outcome: "patched", gpus: expect.any(Number), workers: expect.any(Number), reason: expect.any(String) });
  });

  it("trims to the newest rows, and a failed write never throws", () => {
    store = openStore(":memory:", log);
    const table = new AdmissionDecisions(store.db);
    const row = (uid: string, createdMs: number) => ({ uid, namespace: "n", name: "j", kind: "PyTorchJob", recommender: null, outcome: "unreadable", gpus: null, workers: null, reason: "r", createdMs });
    table.insertBatch([row("a", 1), row("b", 2), row("c", 3)], 2);
    expect(table.recent(10).map((r) => r.uid)).toEqual(["c", "b"]);
    const audit = new AdmissionAudit(table, log, { keep: 2, timer: false });
    store.close();
    store = undefined;
    const h = aHarness();
    audit.note({ kind: "PyTorchJob", result: "patched", ops: [], warnings: [], repeatable: true, log: { level: "info", message: "job sized", fields: { name: "x" } } }, "u", h.deps.clock.nowMs());
    expect(() => audit.flush()).not.toThrow();
  });
});

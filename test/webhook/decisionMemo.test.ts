import { createServer, type Server } from "node:http";
import request from "supertest";
import fc from "fast-check";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { Decision } from "../../webhook/admit.js";
import { DecisionMemo, splitReview, uidIsTheRequests, type RememberedDecision } from "../../webhook/decisionMemo.js";

/** The memo reads raw bodies; the tests write text. */
const splitReviewText = (text: string) => splitReview(Buffer.from(text, "utf8"));
import { createMutateHandler } from "../../webhook/handler.js";
import type { Recommender } from "../../webhook/recommenders/types.js";
import { EmbeddedRecommender } from "../../webhook/recommenders/index.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { aHarness, type Harness } from "./harness.js";

const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
const GO_HEAD = '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"';

function reviewText(uid: string, opts: { dryRun?: boolean; name?: string } = {}): string {
  const named = opts.name ? { ...job, metadata: { ...(job.metadata as object), name: opts.name } } : job;
  return JSON.stringify(anAdmissionReview(named, { uid, ...(opts.dryRun !== undefined && { dryRun: opts.dryRun }) }));
}

function aDecision(overrides: Partial<Decision> = {}): Decision {
  return { kind: "PyTorchJob", result: "patched", ops: [], warnings: [], repeatable: true, ...overrides };
}

function remembered(decision: Decision = aDecision()): RememberedDecision {
  return { decision, responseTail: ',"allowed":true}}', operation: "CREATE", namespace: "team-a", dryRun: false };
}

describe("splitReviewText", () => {
  it("cuts the apiserver's field order around the uid", () => {
    const text = reviewText("0b5c9a1e-4a4f-4d5e-8f8a-123456789abc");
    expect(text.startsWith(GO_HEAD)).toBe(true);
    const cut = splitReviewText(text)!;
    expect(cut.uid).toBe("0b5c9a1e-4a4f-4d5e-8f8a-123456789abc");
    expect(`${GO_HEAD}${cut.uid}"${cut.content.toString("utf8")}`).toBe(text);
  });

  it("cuts the apiVersion-first order too", () => {
    const text = JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "u-1", operation: "CREATE" } });
    expect(splitReviewText(text)).toMatchObject({ uid: "u-1", content: Buffer.from(',"operation":"CREATE"}}') });
  });

  it.each([
    ["whitespace", JSON.stringify(JSON.parse(reviewText("u-1")), null, 1)],
    ["a uid with an escape", `${GO_HEAD}a\\u0041b","operation":"CREATE"}}`],
    ["a uid with a space", `${GO_HEAD}a b","operation":"CREATE"}}`],
    ["an empty uid", `${GO_HEAD}","operation":"CREATE"}}`],
    ["an unterminated uid", `${GO_HEAD}abc`],
    ["another order", JSON.stringify({ request: { uid: "u-1" }, kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1" })],
  ])("leaves %s to the full path", (_what, text) => {
    expect(splitReviewText(text)).toBeUndefined();
  });
});

describe("uidIsTheRequests", () => {
  it("holds when the cut uid is the request's", () => {
    expect(uidIsTheRequests(splitReviewText(reviewText("u-1"))!)).toBe(true);
  });

  it.each([
    ["a later duplicate uid key", `${GO_HEAD}u-1","operation":"CREATE","uid":"u-2"}}`],
    ["a later duplicate written with an escape", `${GO_HEAD}u-1","operation":"CREATE","\\u0075id":"u-2"}}`],
    ["text that is not JSON", `${GO_HEAD}u-1","operation":}}`],
  ])("fails for %s", (_what, text) => {
    expect(uidIsTheRequests(splitReviewText(text)!)).toBe(false);
  });
});

/** Reviews are remembered from their second sighting on. */
function rememberTwice(memo: DecisionMemo, cut: ReturnType<typeof splitReviewText>, r = remembered()): boolean {
  memo.remember(cut!, r);
  return memo.remember(cut!, r);
}

describe("DecisionMemo", () => {
  it("remembers a review on its second sighting, so unique reviews cost no proof parse", () => {
    const memo = new DecisionMemo(8);
    expect(memo.remember(splitReviewText(reviewText("u-1"))!, remembered())).toBe(false);
    expect(memo.recall(splitReviewText(reviewText("u-2"))!)).toBeUndefined();
    expect(memo.remember(splitReviewText(reviewText("u-2"))!, remembered())).toBe(true);
    expect(memo.recall(splitReviewText(reviewText("u-3"))!)).toBeDefined();
  });

  it("recalls by content whatever the uid, and not across field orders", () => {
    const memo = new DecisionMemo(8);
    expect(rememberTwice(memo, splitReviewText(reviewText("u-1")))).toBe(true);
    expect(memo.recall(splitReviewText(reviewText("u-2"))!)).toBeDefined();
    const apiVersionFirst = reviewText("u-3").replace('{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"');
    expect(memo.recall(splitReviewText(apiVersionFirst)!)).toBeUndefined();
    expect(memo.recall(splitReviewText(reviewText("u-4", { dryRun: true }))!)).toBeUndefined();
  });

  it("does not remember a decision that is not repeatable, or a review whose uid is overridden", () => {
    const memo = new DecisionMemo(8);
    expect(rememberTwice(memo, splitReviewText(reviewText("u-1")), remembered(aDecision({ repeatable: false })))).toBe(false);
    expect(rememberTwice(memo, splitReviewText(`${GO_HEAD}u-1","uid":"u-2"}}`))).toBe(false);
    expect(memo.size).toBe(0);
  });

  it("holds at most maxEntries, evicting the oldest entry not recalled since it was last passed over", () => {
    const memo = new DecisionMemo(3);
    const cuts = ["a", "b", "c", "d"].map((name) => splitReviewText(reviewText("u-1", { name }))!);
    for (const cut of cuts.slice(0, 3)) rememberTwice(memo, cut);
    memo.recall(cuts[0]!); // a is in use: b goes first
    rememberTwice(memo, cuts[3]);
    expect(memo.size).toBe(3);
    expect(memo.recall(cuts[0]!)).toBeDefined();
    expect(memo.recall(cuts[1]!)).toBeUndefined();
    expect(memo.recall(cuts[2]!)).toBeDefined();
    expect(memo.recall(cuts[3]!)).toBeDefined();
  });

  it("holds at most maxChars of reviews and responses", () => {
    const one = splitReviewText(reviewText("u-1", { name: "a" }))!;
    const memo = new DecisionMemo(100, Math.floor(one.content.length * 2.5));
    // (bytes of body plus response tail per entry: two fit, a third does not)
    for (const name of ["a", "b", "c", "d", "e"]) rememberTwice(memo, splitReviewText(reviewText("u-1", { name })));
    expect(memo.size).toBe(2);
  });

  it("tells apart contents that share their first and last kilobytes (same fingerprint)", () => {
    const memo = new DecisionMemo(8);
    const middle = (c: string) => reviewText("u-1", { name: `job-${c}${"x".repeat(3000)}` }).replace("job-", `job-${"y".repeat(2000)}`);
    const [a, b] = [splitReviewText(middle("a"))!, splitReviewText(middle("b"))!];
    expect(a.content.length).toBe(b.content.length);
    rememberTwice(memo, a, remembered(aDecision({ result: "patched" })));
    rememberTwice(memo, b, remembered(aDecision({ result: "unchanged" })));
    expect(memo.size).toBe(2);
    expect(memo.recall(a)?.decision.result).toBe("patched");
    expect(memo.recall(b)?.decision.result).toBe("unchanged");
  });

  it("keys non-ASCII content by its bytes", () => {
    const memo = new DecisionMemo(8);
    const cut = (uid: string) => splitReviewText(reviewText(uid, { name: "träning-✓" }))!;
    rememberTwice(memo, cut("u-1"));
    expect(memo.recall(cut("u-2"))).toBeDefined();
    expect(memo.recall(splitReviewText(reviewText("u-2", { name: "traning-✓" }))!)).toBeUndefined();
  });

  it("is off with 0 entries", () => {
    const memo = new DecisionMemo(0);
    expect(memo.enabled).toBe(false);
    expect(rememberTwice(memo, splitReviewText(reviewText("u-1")))).toBe(false);
  });
});

describe("POST /mutate with the decision memo", () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  function serve(h: Harness, entries = 16): Server {
    const server = createServer(createMutateHandler({ ...h.deps, memo: new DecisionMemo(entries) }));
    servers.push(server);
    return server;
  }

  async function post(server: Server, text: string): Promise<string> {
    const res = await request(server).post("/mutate").set("content-type", "application/json").send(text).expect(200);
    return res.text;
  }

  async function memoCounts(h: Harness): Promise<Record<string, number>> {
    const metric = await h.registry.getSingleMetric("gpu_steward_webhook_decision_memo_total")!.get();
    return Object.fromEntries(metric.values.map((v) => [String(v.labels.outcome), v.value]));
  }

  it("answers a repeated review exactly as a fresh decision would, and still records each one", async () => {
    const h = aHarness();
    const server = serve(h);
    const fresh = serve(aHarness(), 0);
    const first = await post(server, reviewText("u-1"));
    await post(server, reviewText("u-2"));
    const third = await post(server, reviewText("u-3"));
    expect(third).toBe(first.replace('"uid":"u-1"', '"uid":"u-3"'));
    expect(third).toBe(await post(fresh, reviewText("u-3")));
    expect(await memoCounts(h)).toEqual({ miss: 2, hit: 1 });
    expect(h.events.map((e) => e.reason)).toEqual(["PatchedWithRecommendations", "PatchedWithRecommendations", "PatchedWithRecommendations"]);
    const reviews = await h.registry.getSingleMetric("gpu_steward_webhook_reviews_total")!.get();
    expect(reviews.values).toEqual([expect.objectContaining({ labels: { kind: "PyTorchJob", operation: "CREATE", result: "patched" }, value: 3 })]);
  });

  it("logs every review, a repeated one with its own uid and the decision's fields", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const h = aHarness();
    h.deps.log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const server = serve(h);
    for (const uid of ["u-1", "u-2", "u-3"]) await post(server, reviewText(uid));
    expect(await memoCounts(h)).toEqual({ miss: 2, hit: 1 });
    const sized = lines.filter((l) => l.msg === "job sized");
    expect(sized.map((l) => l.uid)).toEqual(["u-1", "u-2", "u-3"]);
    expect(sized[2]).toMatchObject({ kind: "PyTorchJob", namespace: "team-a", recommender: "embedded", gpus: expect.any(Number) });
    expect(sized[2]).toMatchObject({ ...sized[0], uid: "u-3", time: expect.any(Number) });
  });

  it("keeps dryRun reviews apart and records no event for them", async () => {
    const h = aHarness();
    const server = serve(h);
    for (const uid of ["u-1", "u-2", "u-3"]) await post(server, reviewText(uid, { dryRun: true }));
    expect(await memoCounts(h)).toEqual({ miss: 2, hit: 1 });
    expect(h.events).toEqual([]);
  });

  it("never remembers an answer from a recommender that is not deterministic", async () => {
    const embedded = new EmbeddedRecommender();
    const remote: Recommender = { name: "ado", recommend: (i, l, d) => embedded.recommend(i, l, d) };
    const h = aHarness({ recommender: remote });
    const server = serve(h);
    await post(server, reviewText("u-1"));
    await post(server, reviewText("u-2"));
    expect(await memoCounts(h)).toEqual({ bypass: 2 });
  });

  it("never remembers a decision that read a ConfigMap", async () => {
    const withConfigFile = structuredClone(job) as Record<string, any>;
    const master = withConfigFile.spec.pytorchReplicaSpecs.Master.template.spec;
    master.containers[0].env = [...(master.containers[0].env ?? []), { name: "SFT_TRAINER_CONFIG_JSON_PATH", value: "/config/config.json" }];
    master.containers[0].volumeMounts = [{ name: "cfg", mountPath: "/config" }];
    master.volumes = [{ name: "cfg", configMap: { name: "tuning" } }];
    let reads = 0;
    const h = aHarness({ configMaps: { get: async () => (reads++, { "config.json": "{}" }) } });
    const server = serve(h);
    for (const uid of ["u-1", "u-2"]) await post(server, JSON.stringify(anAdmissionReview(withConfigFile, { uid })));
    expect(reads).toBe(2);
    expect(await memoCounts(h)).toEqual({ bypass: 2 });
  });

  it("property: for any uids and dryRun flags, memo answers equal fresh answers", async () => {
    const h = aHarness();
    const server = serve(h, 4);
    const fresh = serve(aHarness(), 0);
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[!#-[\]-~]{1,40}$/), fc.boolean(), fc.constantFrom("a", "b"), async (uid, dryRun, name) => {
        const text = reviewText(uid, { dryRun, name });
        expect(await post(server, text)).toBe(await post(fresh, text));
      }),
      { numRuns: 40, seed: 7 },
    );
    expect((await memoCounts(h)).hit).toBeGreaterThan(30);
  });
});

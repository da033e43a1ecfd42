/**
 * The reduced reliability fuzz (issue 9) in npm test: 300 seeded AdmissionReviews over HTTPS and 300
 * ExtenderArgs (both node modes) against the real composition root, classified as `npm run reliability`
 * classifies them; every counted failure is expected to be zero. Deterministic: input i is a function of
 * the seed and i only.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extenderInput, fuzzExtender } from "../../reliability/fuzzExtender.js";
import { fuzzWebhook, webhookInput } from "../../reliability/fuzzWebhook.js";
import { deepNest, duplicateKey, mutateJson, rngFor } from "../../reliability/mutators.js";
import { rows } from "../../reliability/report.js";
import { internalErrors, startInProcess, type Target } from "../../reliability/target.js";

const SEED = 20261123;
const COUNT = 300;

describe("reliability mutators", () => {
  it("input i is the same on every run, whatever order inputs are made in", () => {
    const a = [5, 1, 3].map((i) => webhookInput(SEED, i).text);
    const b = [5, 1, 3].reverse().map((i) => webhookInput(SEED, i).text).reverse();
    expect(a).toEqual(b);
    expect(extenderInput(SEED, 7)).toEqual(extenderInput(SEED, 7));
    expect(webhookInput(SEED, 1).text).not.toEqual(webhookInput(SEED + 1, 1).text);
  });

  it("never modifies the value it mutates, and yields text", () => {
    const value = { a: { b: [1, 2, { c: "x" }] }, d: "e" };
    const before = JSON.stringify(value);
    for (let i = 0; i < 200; i++) expect(typeof mutateJson(value, rngFor(1, i)).text).toBe("string");
    expect(JSON.stringify(value)).toBe(before);
  });

  it("duplicates a key textually and nests 500 deep", () => {
    const text = duplicateKey(JSON.stringify({ only: 1 }), rngFor(1, 0));
    expect(text.match(/"only":/g)).toHaveLength(2);
    let depth = 0;
    for (let v: unknown = deepNest(500); typeof v === "object" && v !== null; depth++) v = Array.isArray(v) ? v[0] : (v as { a: unknown }).a;
    expect(depth).toBe(500);
  });
});

describe(`reliability fuzz (${COUNT} reviews, ${COUNT} ExtenderArgs, seed ${SEED})`, () => {
  let stateDir: string;
  let target: Target;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "steward-fuzz-"));
    target = await startInProcess(stateDir);
  });

  afterAll(async () => {
    await target?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("counts zero failures: no 5xx, no timeouts, patches apply, fit the CRDs, and are idempotent; extender answers well-formed", async () => {
    const webhook = await fuzzWebhook(target.webhookUrl, { count: COUNT, seed: SEED, concurrency: 8 });
    const extender = await fuzzExtender(target.extenderUrl, { count: COUNT, seed: SEED, concurrency: 8 });
    const internal = await internalErrors(target.metricsUrl);
    // The fuzz reaches the paths it is meant to: refusals, plain admissions and patches, both node modes.
    expect(webhook.outcomes.get("4xx")).toBeGreaterThan(0);
    expect(webhook.patched).toBeGreaterThan(10);
    expect([...extender.outcomes.keys()].filter((k) => k.startsWith("200")).sort()).toEqual(["200 filter names", "200 filter nodes", "200 prioritize names", "200 prioritize nodes"]);
    const failing = rows(webhook, extender, internal, null).filter((r) => r.goal === "0" && r.failures !== 0);
    expect({ failing, examples: [...webhook.examples, ...extender.examples].map((e) => `${e.kind} #${e.index}: ${e.detail}`) }).toEqual({ failing: [], examples: [] });
  });
});

/**
 * AdmissionReviews against a running webhook over HTTPS: valid jobs built from the fixtures, most of
 * them mutated (reliability/mutators.ts). Counted as failures: connection errors, 5xx, answers over the
 * webhook timeout, malformed 200s, internal errors admitted unchanged, valid reviews refused, patches
 * that do not apply, patched objects the real CRD schemas reject, and second passes that are not no-ops.
 */
import fastJsonPatch, { type Operation } from "fast-json-patch";
import { schemaErrorsAddedBy } from "../test/builders/crdSchema.js";
import { anAdmissionReview, jobFixtureFiles, loadJob } from "../test/builders/reviews.js";
import { pool, poster, type Answer, type Poster } from "./client.js";
import { mutateJson, pick, rngFor, type Rng } from "./mutators.js";
import { Tally } from "./tally.js";

/** The apiserver's timeoutSeconds for the webhook; an answer later than this fails the admission. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
const PATH = "/mutate?timeout=5s";
const WATCH = ["autoconf-plugin-name", "resource-requirements-appwrapper"] as const;

export const FAILURES = {
  connection: "connection errors",
  status5xx: "5xx answers",
  timeout: "answers over the 5 s webhook timeout",
  malformed: "malformed 200 answers",
  internal: "internal errors (admitted unchanged)",
  validRefused: "valid reviews refused (4xx)",
  patchFails: "patches that fail to apply",
  schema: "patched objects failing the CRD schema",
  notNoOp: "second passes that are not no-ops",
} as const;

let jobs: Array<Record<string, unknown>> | undefined;
function fixtureJobs(): Array<Record<string, unknown>> {
  return (jobs ??= jobFixtureFiles().map((f) => loadJob(`jobs/${f}`)));
}

export interface WebhookInput {
  text: string;
  valid: boolean;
  mutations: string[];
}

/** Input `index` of a run seeded `seed`: 15% valid reviews, the rest mutated. */
export function webhookInput(seed: number, index: number): WebhookInput {
  const rng = rngFor(seed, index);
  const job = structuredClone(pick(rng, fixtureJobs()));
  const meta = ((job.metadata ??= {}) as { labels?: Record<string, string>; name?: string });
  // Opted in most of the time so the sizing path (and its patch) runs.
  if (rng() < 0.85) meta.labels = { ...meta.labels, [WATCH[0]]: WATCH[1] };
  meta.name = `${meta.name ?? "job"}-${index}`;
  const review = anAdmissionReview(job, {
    uid: `fuzz-${seed}-${index}`,
    namespace: pick(rng, ["team-a", "default", "ml-research"]),
    operation: rng() < 0.8 ? "CREATE" : "UPDATE",
    dryRun: rng() < 0.1,
  });
  if (rng() < 0.15) return { text: JSON.stringify(review), valid: true, mutations: [] };
  const m = mutateJson(review, rng);
  return { text: m.text, valid: false, mutations: m.mutations };
}

interface ReviewAnswer {
  response?: { uid?: unknown; allowed?: unknown; patch?: unknown; patchType?: unknown; warnings?: unknown };
}

/** The JSONPatch of a 200 answer ([] when none), or a string saying why the answer is malformed. */
function patchOf(answer: Answer, uid: unknown): Operation[] | string {
  let parsed: ReviewAnswer;
  try {
    parsed = JSON.parse(answer.body) as ReviewAnswer;
  } catch {
    return `200 body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  const r = parsed.response;
  if (typeof r !== "object" || r === null) return "200 without a response";
  if (typeof uid === "string" && r.uid !== uid) return `response.uid ${JSON.stringify(r.uid)} is not the request's ${JSON.stringify(uid)}`;
  if (typeof r.allowed !== "boolean") return "response.allowed is not a boolean";
  if (r.patch === undefined || r.patch === null) return [];
  if (typeof r.patch !== "string" || r.patchType !== "JSONPatch") return `patch ${typeof r.patch} with patchType ${String(r.patchType)}`;
  try {
    const ops = JSON.parse(Buffer.from(r.patch, "base64").toString("utf8")) as unknown;
    if (!Array.isArray(ops)) return "patch is not a JSON array";
    return ops as Operation[];
  } catch (err) {
    return `patch is not base64 JSON: ${(err as Error).message}`;
  }
}

function internalWarning(body: string): boolean {
  return body.includes("internal error; job admitted unchanged");
}

export interface WebhookRun {
  tally: Tally;
}

/** Classifies one answer; for a patch, applies it, validates the result and sends it again. */
async function check(client: Poster, tally: Tally, index: number, input: WebhookInput, answer: Answer): Promise<void> {
  const fail = (kind: keyof typeof FAILURES, detail: string) => tally.fail(FAILURES[kind], index, detail, input.text);
  if (answer.error !== undefined) {
    tally.outcome("error");
    return fail(answer.error.startsWith("no answer") ? "timeout" : "connection", answer.error);
  }
  if (answer.ms > WEBHOOK_TIMEOUT_MS) fail("timeout", `${answer.ms.toFixed(0)} ms`);
  if (answer.status >= 500) {
    tally.outcome("5xx");
    return fail("status5xx", `${answer.status} ${answer.body.slice(0, 500)}`);
  }
  if (answer.status >= 400) {
    tally.outcome("4xx");
    if (input.valid) fail("validRefused", `${answer.status} ${answer.body.slice(0, 500)}`);
    return;
  }
  if (answer.status !== 200) {
    tally.outcome(String(answer.status));
    return fail("malformed", `status ${answer.status}`);
  }
  if (internalWarning(answer.body)) fail("internal", answer.body.slice(0, 500));
  // What the server read: JSON.parse keeps the last of duplicate keys, as Go's decoder does.
  let sent: { request: { uid: unknown; object: Record<string, unknown> } };
  try {
    sent = JSON.parse(input.text) as typeof sent;
  } catch (err) {
    tally.outcome("200");
    return fail("malformed", `200 to a body that is not JSON (${(err as Error).message})`);
  }
  const ops = patchOf(answer, sent?.request?.uid);
  if (typeof ops === "string") {
    tally.outcome("200");
    return fail("malformed", ops);
  }
  if (ops.length === 0) return tally.outcome("200 no patch");
  tally.outcome("200 patched");
  tally.patched++;
  const before = sent.request.object;
  let after: Record<string, unknown>;
  try {
    after = fastJsonPatch.applyPatch(structuredClone(before), ops, true, false).newDocument;
  } catch (err) {
    return fail("patchFails", `${(err as Error).message}: ${JSON.stringify(ops).slice(0, 1000)}`);
  }
  if (after.kind === "PyTorchJob" || after.kind === "AppWrapper") {
    let added: string[] = [];
    try {
      added = schemaErrorsAddedBy(before, after);
    } catch {
      // The mutated original is too malformed for the checker to walk; the schema check needs a job shape.
    }
    if (added.length > 0) fail("schema", `${added.slice(0, 5).join("; ")} after ${JSON.stringify(ops).slice(0, 1000)}`);
  }
  const again = { ...sent, request: { ...sent.request, uid: `${String(sent.request.uid)}-again`, object: after } };
  const second = await client.post(PATH, JSON.stringify(again));
  if (second.error !== undefined) return fail("connection", `second pass: ${second.error}`);
  if (second.ms > WEBHOOK_TIMEOUT_MS) fail("timeout", `second pass ${second.ms.toFixed(0)} ms`);
  if (second.status >= 500) return fail("status5xx", `second pass ${second.status} ${second.body.slice(0, 500)}`);
  // A first body just under the webhook's limit (the apiserver's own 3 MiB) can grow past it once
  // patched: such an object cannot be stored, so the apiserver never sends it again. Not a failure.
  if (second.status === 413) return tally.outcome("second pass over the body limit (413)");
  if (second.status !== 200) return fail("notNoOp", `second pass answered ${second.status} ${second.body.slice(0, 500)}`);
  const secondOps = patchOf(second, again.request.uid);
  if (typeof secondOps === "string") return fail("malformed", `second pass: ${secondOps}`);
  if (secondOps.length > 0) fail("notNoOp", `second pass patched again: ${JSON.stringify(secondOps).slice(0, 1000)}`);
}

export interface FuzzOptions {
  count: number;
  seed: number;
  concurrency?: number;
}

/** Sends `count` reviews to `baseUrl` (https://host:port) and tallies the answers. */
export async function fuzzWebhook(baseUrl: string, opts: FuzzOptions): Promise<Tally> {
  const concurrency = opts.concurrency ?? 8;
  const client = poster(baseUrl, concurrency);
  const tally = new Tally();
  const start = performance.now();
  try {
    await pool(opts.count, concurrency, async (i) => {
      const input = webhookInput(opts.seed, i);
      const answer = await client.post(PATH, input.text);
      tally.sent++;
      tally.latencies.push(answer.ms);
      await check(client, tally, i, input, answer);
    });
  } finally {
    client.close();
  }
  tally.elapsedMs = performance.now() - start;
  return tally;
}

export type { Rng };

/**
 * ExtenderArgs against a running scheduler extender over HTTP, both node modes (NodeNames for a
 * nodeCacheCapable extender, full Node objects otherwise), to /filter and /prioritize, most of them
 * mutated. Counted as failures: connection errors, 5xx, answers over the timeout, valid args refused,
 * and malformed 200s (filter: NodeNames/Nodes/FailedNodes shape, passed ⊆ sent; prioritize: integer
 * scores 0..10 for hosts ⊆ sent).
 */
import { nodeName, pendingPods } from "../bench/syntheticCluster.js";
import { pool, poster, type Answer } from "./client.js";
import { int, mutateJson, pick, rngFor } from "./mutators.js";
import { Tally } from "./tally.js";
import type { FuzzOptions } from "./fuzzWebhook.js";

export const EXTENDER_TIMEOUT_MS = 5_000;
const PRODUCTS = ["NVIDIA-H100-80GB-HBM3", "NVIDIA-A100-SXM4-80GB", "NVIDIA-L40S"];

export const FAILURES = {
  connection: "connection errors",
  status5xx: "5xx answers",
  timeout: "answers over 5 s",
  validRefused: "valid args refused (4xx)",
  malformed: "malformed 200 answers",
} as const;

export interface ExtenderInput {
  verb: "filter" | "prioritize";
  mode: "names" | "nodes";
  text: string;
  valid: boolean;
  mutations: string[];
}

let pods: ReturnType<typeof pendingPods> | undefined;

export function extenderInput(seed: number, index: number): ExtenderInput {
  const rng = rngFor(seed, index);
  pods ??= pendingPods(40);
  const pod = structuredClone(pick(rng, pods));
  const verb = rng() < 0.5 ? "filter" : "prioritize";
  const mode = rng() < 0.5 ? "names" : "nodes";
  const first = int(rng, 0, 4000);
  const names = Array.from({ length: int(rng, 1, 40) }, (_, k) => nodeName(first + k));
  const args =
    mode === "names"
      ? { Pod: pod, Nodes: null, NodeNames: names }
      : {
          Pod: pod,
          Nodes: {
            metadata: {},
            items: names.map((name, k) => ({
              metadata: { name, labels: { "nvidia.com/gpu.product": PRODUCTS[(first + k) % 3]! } },
              spec: {},
              status: { allocatable: { "nvidia.com/gpu": String(pick(rng, [0, 4, 8])) }, capacity: { "nvidia.com/gpu": "8" } },
            })),
          },
          NodeNames: null,
        };
  if (rng() < 0.15) return { verb, mode, text: JSON.stringify(args), valid: true, mutations: [] };
  const m = mutateJson(args, rng);
  return { verb, mode, text: m.text, valid: false, mutations: m.mutations };
}

/** The node names the server read from `text` (JSON.parse keeps the last duplicate key, as Go does). */
function namesSent(text: string): Set<string> {
  const out = new Set<string>();
  try {
    const a = JSON.parse(text) as Record<string, unknown>;
    const names = a.NodeNames ?? a.nodenames ?? a.nodeNames;
    if (Array.isArray(names)) for (const n of names) if (typeof n === "string") out.add(n);
    const nodes = (a.Nodes ?? a.nodes) as { items?: unknown } | null | undefined;
    if (nodes && Array.isArray(nodes.items)) {
      for (const item of nodes.items) {
        const name = (item as { metadata?: { name?: unknown } } | null)?.metadata?.name;
        if (typeof name === "string") out.add(name);
      }
    }
  } catch {
    // Not JSON: nothing was sent that an answer may name.
  }
  return out;
}

const isStringMap = (v: unknown) => v === null || v === undefined || (typeof v === "object" && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string"));

/** Why a 200 answer is malformed, or undefined when it is well-formed. */
export function malformed(input: ExtenderInput, answer: Answer): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `200 body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  const sent = namesSent(input.text);
  if (input.verb === "prioritize") {
    if (!Array.isArray(body)) return "prioritize answer is not a HostPriorityList";
    for (const hp of body as Array<{ Host?: unknown; Score?: unknown }>) {
      if (typeof hp?.Host !== "string") return `Host ${JSON.stringify(hp?.Host)} is not a string`;
      if (!sent.has(hp.Host)) return `Host ${hp.Host} was not sent`;
      if (typeof hp.Score !== "number" || !Number.isInteger(hp.Score) || hp.Score < 0 || hp.Score > 10) return `Score ${JSON.stringify(hp.Score)} for ${hp.Host} is not an integer in 0..10`;
    }
    return undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "filter answer is not an ExtenderFilterResult";
  const r = body as { NodeNames?: unknown; Nodes?: unknown; FailedNodes?: unknown; FailedAndUnresolvableNodes?: unknown; Error?: unknown };
  if (r.Error !== undefined && typeof r.Error !== "string") return "Error is not a string";
  if (!isStringMap(r.FailedNodes)) return "FailedNodes is not a map of strings";
  if (!isStringMap(r.FailedAndUnresolvableNodes)) return "FailedAndUnresolvableNodes is not a map of strings";
  const failedNames = [...Object.keys((r.FailedNodes ?? {}) as object), ...Object.keys((r.FailedAndUnresolvableNodes ?? {}) as object)];
  for (const n of failedNames) if (!sent.has(n)) return `failed node ${n} was not sent`;
  let passed: unknown[] = [];
  if (r.NodeNames !== null && r.NodeNames !== undefined) {
    if (!Array.isArray(r.NodeNames)) return "NodeNames is not an array";
    passed = r.NodeNames;
  }
  if (r.Nodes !== null && r.Nodes !== undefined) {
    const items = (r.Nodes as { items?: unknown }).items;
    if (items !== null && items !== undefined && !Array.isArray(items)) return "Nodes.items is not an array";
    passed = passed.concat(((items ?? []) as Array<{ metadata?: { name?: unknown } }>).map((n) => n?.metadata?.name));
  }
  for (const n of passed) {
    if (typeof n !== "string") return `passed node ${JSON.stringify(n)} is not a name`;
    if (!sent.has(n)) return `passed node ${n} was not sent`;
  }
  return undefined;
}

/** Sends `count` ExtenderArgs to `baseUrl` (http://host:port) and tallies the answers. */
export async function fuzzExtender(baseUrl: string, opts: FuzzOptions): Promise<Tally> {
  const concurrency = opts.concurrency ?? 8;
  const client = poster(baseUrl, concurrency);
  const tally = new Tally();
  const start = performance.now();
  try {
    await pool(opts.count, concurrency, async (i) => {
      const input = extenderInput(opts.seed, i);
      const answer = await client.post(`/${input.verb}`, input.text);
      tally.sent++;
      tally.latencies.push(answer.ms);
      const fail = (kind: keyof typeof FAILURES, detail: string) => tally.fail(FAILURES[kind], i, `${input.verb} ${input.mode} ${detail}`, input.text);
      if (answer.error !== undefined) {
        tally.outcome("error");
        return fail(answer.error.startsWith("no answer") ? "timeout" : "connection", answer.error);
      }
      if (answer.ms > EXTENDER_TIMEOUT_MS) fail("timeout", `${answer.ms.toFixed(0)} ms`);
      if (answer.status >= 500) {
        tally.outcome("5xx");
        return fail("status5xx", `${answer.status} ${answer.body.slice(0, 500)}`);
      }
      if (answer.status >= 400) {
        tally.outcome("4xx");
        if (input.valid) fail("validRefused", `${answer.status} ${answer.body.slice(0, 500)}`);
        return;
      }
      tally.outcome(`${answer.status} ${input.verb} ${input.mode}`);
      const why = answer.status === 200 ? malformed(input, answer) : `status ${answer.status}`;
      if (why !== undefined) fail("malformed", why);
    });
  } finally {
    client.close();
  }
  tally.elapsedMs = performance.now() - start;
  return tally;
}

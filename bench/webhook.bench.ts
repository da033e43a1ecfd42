/**
 * `npm run bench:webhook`: /mutate over HTTPS on loopback against a bare node:https server that
 * answers a fixed AdmissionReview, in the same run, keep-alive, 10 s per run (BENCH_SECONDS
 * overrides). The review is the llama-7b LoRA job as kubectl apply sends it, in the apiserver's
 * field order. Two workloads:
 * - `same job`: every request carries a fresh uid (as the apiserver sends them) for the same job
 *   content: repeated reviews, answered from the decision memo after the first;
 * - `new job`: every request also carries a new job name, so every review is decided from scratch
 *   (the memo never hits): the cost of the full path.
 * Each row loads the two servers in turn BENCH_REPEATS times (default 3) and reports medians.
 * Prints req/s, p50, p99 and the ratios; writes bench/results/webhook.json.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { ensureSelfSigned } from "../certs/index.js";
import { anAdmissionReview, loadJob } from "../test/builders/reviews.js";
import { startChildServer } from "./childServer.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const logLevel = process.env.BENCH_LOG_LEVEL ?? "info";

function kubectlApplied(job: Record<string, unknown>): Record<string, unknown> {
  // kubectl apply stores the whole manifest in an annotation: that is what makes real reviews ~6 KB.
  const meta = job.metadata as { annotations?: Record<string, string> };
  return { ...job, metadata: { ...meta, annotations: { ...meta.annotations, "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(job) } } };
}

function startChild(variant: string, stateDir: string): Promise<{ child: ChildProcess; port: number }> {
  return startChildServer(join(here, "servers.ts"), [variant, stateDir, logLevel]);
}

interface Figures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function load(port: number, body: string, connections: number, duration = seconds): Promise<Figures> {
  const result = await autocannon({
    url: `https://127.0.0.1:${port}/mutate?timeout=5s`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    // autocannon puts a new id wherever the body says [<id>] (the uid; the job name for "new job").
    idReplacement: true,
    connections,
    duration,
    tlsOptions: { rejectUnauthorized: false },
  });
  return { reqPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

const repeats = Number(process.env.BENCH_REPEATS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Both servers run side by side and are loaded in turn, `repeats` times each, so drift on a shared
 * machine (other processes, thermal) hits both alike; the row reports the medians.
 */
async function measurePair(stateDir: string, body: string, connections: number): Promise<{ bare: Figures; steward: Figures; ratios: number[] }> {
  const servers = { bare: await startChild("bare", stateDir), steward: await startChild("steward", stateDir) };
  try {
    for (const s of Object.values(servers)) await load(s.port, body, connections, Math.min(seconds, 3)).catch(() => undefined); // warm-up: JIT, TLS
    const runs: Record<"bare" | "steward", Figures[]> = { bare: [], steward: [] };
    const ratios: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const bare = await load(servers.bare.port, body, connections);
      const steward = await load(servers.steward.port, body, connections);
      runs.bare.push(bare);
      runs.steward.push(steward);
      ratios.push(steward.reqPerSec / bare.reqPerSec);
    }
    const summary = (f: Figures[]): Figures => ({
      reqPerSec: median(f.map((x) => x.reqPerSec)),
      p50Ms: median(f.map((x) => x.p50Ms)),
      p99Ms: median(f.map((x) => x.p99Ms)),
      errors: f.reduce((n, x) => n + x.errors, 0),
      non2xx: f.reduce((n, x) => n + x.non2xx, 0),
    });
    return { bare: summary(runs.bare), steward: summary(runs.steward), ratios };
  } finally {
    for (const s of Object.values(servers)) s.child.kill("SIGTERM");
  }
}

const stateDir = mkdtempSync(join(tmpdir(), "steward-bench-"));
await ensureSelfSigned(join(stateDir, "tls"), ["localhost"], new Date(), { ipAddresses: ["127.0.0.1"] });
const ID = "[<id>]";
const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
const body = JSON.stringify(anAdmissionReview(kubectlApplied(job), { uid: ID }));
const renamed = { ...job, metadata: { ...(job.metadata as object), name: `llama-7b-lora-${ID}` } };
const newJobBody = JSON.stringify(anAdmissionReview(kubectlApplied(renamed), { uid: ID }));

// The bare server answers with the response the real one gives, so both send the same bytes.
const { request } = await import("node:https");
const fixed = await new Promise<string>((resolve, reject) => {
  void startChild("steward", stateDir).then(({ child, port }) => {
    const req = request({ host: "127.0.0.1", port, path: "/mutate", method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        child.kill("SIGTERM");
        resolve(text);
      });
    });
    req.on("error", reject);
    req.end(body.replaceAll(ID, "b6a1d1c2-5f3e-4a0b-9d7c-0e1f2a3b4c5d"));
  }, reject);
});
writeFileSync(join(stateDir, "fixed-response.json"), fixed);

const rows: Array<Record<string, unknown>> = [];
const workloads = [
  { workload: "same job", connections: 8, body },
  { workload: "same job", connections: 64, body },
  { workload: "new job", connections: 8, body: newJobBody },
  { workload: "new job", connections: 64, body: newJobBody },
];
for (const { workload, connections, body } of workloads) {
  const { bare, steward, ratios } = await measurePair(stateDir, body, connections);
  rows.push({
    workload,
    connections,
    bareReqPerSec: Math.round(bare.reqPerSec),
    stewardReqPerSec: Math.round(steward.reqPerSec),
    throughputRatio: Number(median(ratios).toFixed(3)),
    ratioRange: `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
    bareP50Ms: bare.p50Ms,
    stewardP50Ms: steward.p50Ms,
    bareP99Ms: bare.p99Ms,
    stewardP99Ms: steward.p99Ms,
    p99Ratio: Number((steward.p99Ms / Math.max(bare.p99Ms, 0.001)).toFixed(3)),
    errors: bare.errors + steward.errors,
    non2xx: bare.non2xx + steward.non2xx,
  });
}

const report = { bench: "webhook", repeats, reviewBytes: Buffer.byteLength(body.replaceAll(ID, "b6a1d1c2-5f3e-4a0b-9d7c-0e1f2a3b4c5d")), seconds, logLevel, node: process.version, rows };
console.log(`review ${report.reviewBytes} bytes, ${seconds} s per run, ${repeats} runs per server per row (medians), log level ${logLevel}, ${process.version}`);
console.table(rows);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "webhook.json"), `${JSON.stringify(report, null, 2)}\n`);

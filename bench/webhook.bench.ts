/**
 * `npm run bench:webhook`: /mutate over HTTPS on loopback against a bare node:https server that
 * answers a fixed AdmissionReview, in the same run, at concurrency 8 and 64 (keep-alive), 10 s each
 * (BENCH_SECONDS overrides). The review is the llama-7b LoRA job as kubectl apply sends it.
 * Prints req/s, p50, p99 and the ratios; writes bench/results/webhook.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { ensureSelfSigned } from "../certs/index.js";
import { anAdmissionReview, loadJob } from "../test/builders/reviews.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const logLevel = process.env.BENCH_LOG_LEVEL ?? "info";

function kubectlApplied(job: Record<string, unknown>): Record<string, unknown> {
  // kubectl apply stores the whole manifest in an annotation: that is what makes real reviews ~6 KB.
  const meta = job.metadata as { annotations?: Record<string, string> };
  return { ...job, metadata: { ...meta, annotations: { ...meta.annotations, "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(job) } } };
}

async function startChild(variant: string, stateDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "servers.ts"), variant, stateDir, logLevel], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${variant} server exited with ${code}`)));
  });
  return { child, port };
}

interface Figures {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

async function load(port: number, body: string, connections: number): Promise<Figures> {
  const result = await autocannon({
    url: `https://127.0.0.1:${port}/mutate?timeout=5s`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration: seconds,
    tlsOptions: { rejectUnauthorized: false },
  });
  return { reqPerSec: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
}

async function measure(variant: string, stateDir: string, body: string, connections: number): Promise<Figures> {
  const { child, port } = await startChild(variant, stateDir);
  try {
    await load(port, body, connections).catch(() => undefined); // warm-up: JIT, TLS session set-up
    return await load(port, body, connections);
  } finally {
    child.kill("SIGTERM");
  }
}

const stateDir = mkdtempSync(join(tmpdir(), "steward-bench-"));
await ensureSelfSigned(join(stateDir, "tls"), ["localhost"], new Date(), { ipAddresses: ["127.0.0.1"] });
const review = anAdmissionReview(kubectlApplied(loadJob("jobs/llama-7b-lora_pytorchjob.yaml")));
const body = JSON.stringify(review);

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
    req.end(body);
  }, reject);
});
writeFileSync(join(stateDir, "fixed-response.json"), fixed);

const rows: Array<Record<string, unknown>> = [];
for (const connections of [8, 64]) {
  const bare = await measure("bare", stateDir, body, connections);
  const steward = await measure("steward", stateDir, body, connections);
  rows.push({
    connections,
    bareReqPerSec: Math.round(bare.reqPerSec),
    stewardReqPerSec: Math.round(steward.reqPerSec),
    throughputRatio: Number((steward.reqPerSec / bare.reqPerSec).toFixed(3)),
    bareP50Ms: bare.p50Ms,
    stewardP50Ms: steward.p50Ms,
    bareP99Ms: bare.p99Ms,
    stewardP99Ms: steward.p99Ms,
    p99Ratio: Number((steward.p99Ms / Math.max(bare.p99Ms, 0.001)).toFixed(3)),
    errors: bare.errors + steward.errors,
    non2xx: bare.non2xx + steward.non2xx,
  });
}

const report = { bench: "webhook", reviewBytes: Buffer.byteLength(body), seconds, logLevel, node: process.version, rows };
console.log(`review ${report.reviewBytes} bytes, ${seconds} s per run, log level ${logLevel}, ${process.version}`);
console.table(rows);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "webhook.json"), `${JSON.stringify(report, null, 2)}\n`);

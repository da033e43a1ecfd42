/**
 * `npm run bench:extender`: kube-scheduler's two extender calls for one pod, /filter then
 * /prioritize (with the nodes filter passed), over keep-alive HTTP on loopback, against a cluster view
 * of 5,000 GPU nodes (BENCH_NODES) with running pods, every request naming every node
 * (nodeCacheCapable). Concurrency 1 and 8, 10 s each (BENCH_SECONDS). The same requests go to a bare
 * node:http server that only parses the body and returns every name, in the same run.
 * Prints p50/p99 of the pair and pairs/s; writes bench/results/extender.json.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startChildServer } from "./childServer.js";
import { nodeName, pendingPods } from "./syntheticCluster.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const nodes = Number(process.env.BENCH_NODES ?? 5000);

function startChild(variant: string): Promise<{ child: ChildProcess; port: number }> {
  return startChildServer(join(here, "extenderServers.ts"), [variant, String(nodes)]);
}

function post(agent: Agent, port: number, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString("utf8")) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const allNames = Array.from({ length: nodes }, (_, i) => nodeName(i));
const pods = pendingPods(64);
const filterBodies = pods.map((Pod) => JSON.stringify({ Pod, Nodes: null, NodeNames: allNames }));

interface Figures {
  pairsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanPassed: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(variant: string, concurrency: number): Promise<Figures> {
  const { child, port } = await startChild(variant);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    // The prioritize body carries what filter passed, as the scheduler sends it.
    const prioritizeBodies: string[] = [];
    let passed = 0;
    for (const [i, body] of filterBodies.entries()) {
      const names = (JSON.parse(await post(agent, port, "/filter", body)) as { NodeNames: string[] }).NodeNames;
      passed += names.length;
      prioritizeBodies.push(JSON.stringify({ Pod: pods[i], Nodes: null, NodeNames: names }));
    }
    const run = async (durationMs: number) => {
      const latencies: number[] = [];
      let errors = 0;
      const end = performance.now() + durationMs;
      await Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          for (let k = w; performance.now() < end; k += concurrency) {
            const i = k % filterBodies.length;
            const t0 = performance.now();
            try {
              await post(agent, port, "/filter", filterBodies[i]!);
              await post(agent, port, "/prioritize", prioritizeBodies[i]!);
              latencies.push(performance.now() - t0);
            } catch {
              errors++;
            }
          }
        }),
      );
      return { latencies, errors };
    };
    await run(Math.min(3, seconds) * 1000); // warm-up: JIT, connections
    const { latencies, errors } = await run(seconds * 1000);
    latencies.sort((a, b) => a - b);
    return {
      pairsPerSec: latencies.length / seconds,
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
      meanPassed: Math.round(passed / filterBodies.length),
      errors,
    };
  } finally {
    agent.destroy();
    child.kill("SIGTERM");
  }
}

const rows: Array<Record<string, unknown>> = [];
for (const concurrency of [1, 8]) {
  const bare = await measure("bare", concurrency);
  const steward = await measure("steward", concurrency);
  rows.push({
    concurrency,
    barePairsPerSec: Math.round(bare.pairsPerSec),
    stewardPairsPerSec: Math.round(steward.pairsPerSec),
    throughputRatio: Number((steward.pairsPerSec / bare.pairsPerSec).toFixed(3)),
    bareP50Ms: bare.p50Ms,
    stewardP50Ms: steward.p50Ms,
    bareP99Ms: bare.p99Ms,
    stewardP99Ms: steward.p99Ms,
    stewardMeanNodesPassed: steward.meanPassed,
    errors: bare.errors + steward.errors,
  });
}
const report = { bench: "extender", nodes, requestBytes: Buffer.byteLength(filterBodies[0]!), seconds, node: process.version, rows };
console.log(`${nodes} nodes, filter body ${report.requestBytes} bytes, ${seconds} s per run, ${process.version}`);
console.table(rows);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "extender.json"), `${JSON.stringify(report, null, 2)}\n`);

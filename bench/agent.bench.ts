/**
 * `npm run bench:agent`: the node agent on one node with 8 GPUs (the XD670 8× H100 fixtures) and 100
 * latency tenants whose vLLM /metrics are served over real HTTP by this process (one port per pod,
 * loopback), plus 20 opted-in batch neighbours (no SLO, so Tier 1 may throttle them: an opted-in pod
 * with an SLO of its own is protected and never a target). The agent runs in a child process
 * (bench/agentChild.ts) with the wall clock, real waits and 1 s polls; after a warm-up (BENCH_WARMUP,
 * 5 s) this process samples the child for BENCH_SECONDS (60 s): RSS from /proc/<pid>/status every
 * 200 ms, CPU time (utime + stime) from /proc/<pid>/stat, and the agent's own /metrics at both ends of
 * the window. Sampled alongside: `idle`, a child that loads the same modules and sleeps, and `steward
 * agent floor`, one that also loads everything main.ts imports (what the deployed `steward agent`
 * process loads before it does anything).
 *
 * The cluster (BENCH_KUBE): `light` (default) is a fake API server in this process
 * (test/platform/kube/fakeApiServer.ts) holding the Node and the pods, which the agent lists, watches
 * and reports to over HTTP through the light client it uses in a pod (platform/kube/lightAgentPorts.ts);
 * `memory` is the in-memory cluster inside the agent's process (no HTTP; it loads client-node there).
 *
 * The children run TypeScript's emit of the sources under plain node (BENCH_RUNTIME=compiled, the
 * default: the image runs dist/ without a loader), or the sources through tsx (BENCH_RUNTIME=tsx, whose
 * loader thread and per-module compile cost about 80 MiB more RSS here). BENCH_AGENT_NODE_FLAGS passes
 * node flags to the agent child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 *
 * Every scrape advances the tenant's exposition by the requests it served since the last one: most
 * tenants well inside their SLO, 5 breaching it all the time and 10 breaching 4 s out of every 15 s, so
 * the SLO state machine and Tier 1 act; the batch pods' io.stat grows by 100–400 MB/s (written here,
 * as the kernel would), the tenants' by a few MB/s. The body is VllmExposition's histograms plus the
 * other families a real vLLM server exports, ~42 KiB (BENCH_EXPOSITION=minimal: the histograms only).
 *
 * Target (issue): ≤ 60 MiB RSS and ≤ 2 % of one core at the default 10 s poll. The 10 s figure is
 * scaled from 1 s polls and assumes the cost per poll dominates. The agent waits the full interval
 * after each poll, so it polls every interval + the poll's own time: the estimate is idle + (CPU per
 * poll − idle's share) / (10 s + that time); CPU/10 is printed too. Writes bench/results/agent.json.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseExposition, type Sample } from "../core/slo/index.js";
import { VllmExposition } from "../test/builders/vllmExposition.js";
import { systemClock } from "../platform/clock.js";
import { NODES, PODS } from "../platform/kube/memoryWatch.js";
import { startFakeApiServer, TOKEN, type FakeApiServer } from "../test/platform/kube/fakeApiServer.js";
import type { BenchLayout, BenchPod, LaidOutPod } from "./agentChild.js";
import { seededRandom } from "./seededRandom.js";

const here = dirname(fileURLToPath(import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 5);
const pollSeconds = Number(process.env.BENCH_POLL_SECONDS ?? 1);
const tenantCount = Number(process.env.BENCH_TENANTS ?? 100);
const neighbourCount = Number(process.env.BENCH_NEIGHBOURS ?? 20);
const seed = Number(process.env.BENCH_SEED ?? 20261123);
const exposition = process.env.BENCH_EXPOSITION ?? "vllm-full";
/** `light`: the agent talks HTTP to a fake API server here, through its light client; `memory`: an in-memory cluster in the agent's process. */
const kubeMode = process.env.BENCH_KUBE ?? "light";
if (kubeMode !== "light" && kubeMode !== "memory") throw new Error(`BENCH_KUBE=${kubeMode}: expected light or memory`);
/** `compiled`: the children run tsc's JavaScript under plain node, as the image runs dist/; `tsx`: the sources through tsx's loader. */
const runtime = process.env.BENCH_RUNTIME ?? "compiled";
/** Extra node flags for the agent child only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`). */
const agentNodeFlags = (process.env.BENCH_AGENT_NODE_FLAGS ?? "").split(" ").filter((f) => f !== "");
const TARGET_RSS_MIB = 60;
const TARGET_CPU_PCT_AT_10S = 2;
const DEFAULT_POLL_SECONDS = 10;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------- layout

type Behaviour = "healthy" | "breaching" | "intermittent";
interface Tenant {
  pod: BenchPod;
  behaviour: Behaviour;
  sloMs: number;
  ratePerSec: number;
  /** Intermittent tenants: where in the 15 s cycle their 4 s of trouble start. */
  phaseMs: number;
  exposition: VllmExposition;
  padding: string;
  lastMs: number;
  carry: number;
  server?: Server;
}

const rand = seededRandom(seed);
const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const SLOS_MS = [400, 600, 1000, 1500, 2500, 4000];
const MODELS = ["meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-8B", "mistralai/Mistral-7B-Instruct-v0.3", "ibm-granite/granite-3.3-8b-instruct"];
const NAMESPACES = ["team-a", "team-b", "team-c", "team-d", "team-e"];

const replicasOnGpu = new Array<number>(8).fill(0);
const onGpu = (gpu: number) => ({ gpu, replica: replicasOnGpu[gpu]!++ });

const tenants: Tenant[] = Array.from({ length: tenantCount }, (_, i) => {
  const behaviour: Behaviour = i % 20 === 7 ? "breaching" : i % 10 === 3 ? "intermittent" : "healthy";
  const sloMs = pick(SLOS_MS);
  const qos = rand() < 0.6 ? "Guaranteed" : "Burstable";
  const model = pick(MODELS);
  return {
    pod: { name: `serve-${String(i).padStart(3, "0")}`, namespace: NAMESPACES[i % NAMESPACES.length]!, qos, sloMs, throttleOptIn: false, ...onGpu(i % 8), cpuMax: qos === "Guaranteed" ? "400000 100000\n" : "max 100000\n" },
    behaviour,
    sloMs,
    ratePerSec: between(8, 40),
    phaseMs: Math.floor(between(0, 15_000)),
    exposition: new VllmExposition(model),
    padding: exposition === "minimal" ? "" : vllmFamilies(model, rand),
    lastMs: 0,
    carry: 0,
  };
});
const neighbours: BenchPod[] = Array.from({ length: neighbourCount }, (_, i) => ({
  name: `finetune-${String(i).padStart(2, "0")}`,
  namespace: NAMESPACES[i % NAMESPACES.length]!,
  qos: "Burstable",
  throttleOptIn: true,
  ...onGpu(i % 8),
  cpuMax: "800000 100000\n",
}));

/** The request's e2e latency (s) for a tenant at `nowMs`. */
function latencyS(t: Tenant, nowMs: number): number {
  const troubled = t.behaviour === "breaching" || (t.behaviour === "intermittent" && (nowMs + t.phaseMs) % 15_000 < 4_000);
  const [lo, hi] = troubled ? [1.6, 3] : [0.15, 0.5];
  return (t.sloMs / 1000) * between(lo, hi);
}

/** What the tenant served since its last scrape, then its body. */
function scrape(t: Tenant): string {
  const now = Date.now();
  if (t.lastMs > 0) {
    const due = (t.ratePerSec * (now - t.lastMs)) / 1000 + t.carry;
    const n = Math.floor(due);
    t.carry = due - n;
    for (let i = 0; i < n; i++) {
      const e2eS = latencyS(t, now);
      t.exposition.serve({ e2eS, ttftS: e2eS * between(0.05, 0.2), itlS: between(0.01, 0.04), promptTokens: Math.floor(between(200, 2000)), outputTokens: Math.floor(between(50, 400)) });
    }
    t.exposition.running = Math.floor(between(0, 24));
    t.exposition.waiting = t.behaviour === "healthy" ? 0 : Math.floor(between(0, 8));
  }
  t.lastMs = now;
  return t.exposition.text() + t.padding;
}

/**
 * The other families of a vLLM server's /metrics (v0.10, one engine): request timing and size
 * histograms, cache and preemption series, Python and process series, and the HTTP server's
 * instrumentation, with HELP lines, as a real scrape carries them. Values are plausible and static:
 * the agent parses them every poll but reads none of them.
 */
function vllmFamilies(model: string, r: () => number): string {
  const l = `engine="0",model_name="${model}"`;
  const out: string[] = [];
  const histogram = (name: string, help: string, bounds: readonly number[], labels = l) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    const total = Math.floor(5_000 + r() * 50_000);
    let cum = 0;
    for (let i = 0; i < bounds.length; i++) {
      cum = Math.min(total, cum + Math.floor((total / bounds.length) * (0.5 + r())));
      out.push(`${name}_bucket{${labels},le="${bounds[i]}"} ${cum}`);
    }
    out.push(`${name}_bucket{${labels},le="+Inf"} ${total}`, `${name}_count{${labels}} ${total}`, `${name}_sum{${labels}} ${(total * r() * 3).toFixed(3)}`);
  };
  const simple = (name: string, type: string, help: string, values: Array<[string, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of values) out.push(`${name}{${labels}} ${v}`);
  };
  const TIME = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];
  const TOKENS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
  const ITER = [1, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128, 136, 144, 152, 160, 168, 176, 184, 192, 200, 208, 216, 224, 232, 240, 248, 256, 512, 1024, 2048, 4096, 8192];
  out.push("# HELP python_gc_objects_collected_total Objects collected during gc", "# TYPE python_gc_objects_collected_total counter");
  for (let g = 0; g < 3; g++) out.push(`python_gc_objects_collected_total{generation="${g}"} ${Math.floor(r() * 1e5)}.0`);
  out.push("# HELP python_gc_collections_total Number of times this generation was collected", "# TYPE python_gc_collections_total counter");
  for (let g = 0; g < 3; g++) out.push(`python_gc_collections_total{generation="${g}"} ${Math.floor(r() * 1e4)}.0`);
  out.push('# HELP python_info Python platform information', '# TYPE python_info gauge', 'python_info{implementation="CPython",major="3",minor="12",patchlevel="11",version="3.12.11"} 1.0');
  for (const [n, v] of [["process_virtual_memory_bytes", 7.2e10], ["process_resident_memory_bytes", 4.1e9], ["process_start_time_seconds", 1.76e9], ["process_cpu_seconds_total", 8123.4], ["process_open_fds", 211], ["process_max_fds", 1048576]] as const) {
    out.push(`# HELP ${n} ${n.replaceAll("_", " ")}`, `# TYPE ${n} ${n.endsWith("_total") ? "counter" : "gauge"}`, `${n} ${v}`);
  }
  simple("vllm:cache_config_info", "gauge", "Information of the LLMEngine CacheConfig", [[`block_size="16",cache_dtype="auto",calculate_kv_scales="False",cpu_offload_gb="0",enable_prefix_caching="True",engine="0",gpu_memory_utilization="0.9",is_attention_free="False",num_cpu_blocks="None",num_gpu_blocks="27315",num_gpu_blocks_override="None",prefix_caching_hash_algo="builtin",sliding_window="None",swap_space="4",swap_space_bytes="4294967296"`, 1]]);
  simple("vllm:gpu_cache_usage_perc", "gauge", "GPU KV-cache usage. 1 means 100 percent usage.", [[l, Number(r().toFixed(4))]]);
  simple("vllm:gpu_prefix_cache_queries_total", "counter", "GPU prefix cache queries, in terms of number of queried tokens.", [[l, Math.floor(r() * 1e8)]]);
  simple("vllm:gpu_prefix_cache_hits_total", "counter", "GPU prefix cache hits, in terms of number of cached tokens.", [[l, Math.floor(r() * 1e7)]]);
  simple("vllm:num_preemptions_total", "counter", "Cumulative number of preemption from the engine.", [[l, Math.floor(r() * 50)]]);
  simple("vllm:num_requests_swapped", "gauge", "Number of requests swapped to CPU.", [[l, 0]]);
  histogram("vllm:iteration_tokens_total", "Histogram of number of tokens per engine_step.", ITER);
  histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", TIME);
  histogram("vllm:request_inference_time_seconds", "Histogram of time spent in RUNNING phase for request.", TIME);
  histogram("vllm:request_prefill_time_seconds", "Histogram of time spent in PREFILL phase for request.", TIME);
  histogram("vllm:request_decode_time_seconds", "Histogram of time spent in DECODE phase for request.", TIME);
  histogram("vllm:request_prompt_tokens", "Number of prefill tokens processed.", TOKENS);
  histogram("vllm:request_generation_tokens", "Number of generation tokens processed.", TOKENS);
  histogram("vllm:request_max_num_generation_tokens", "Histogram of maximum number of requested generation tokens.", TOKENS);
  histogram("vllm:request_params_n", "Histogram of the n request parameter.", [1, 2, 5, 10, 20]);
  histogram("vllm:request_params_max_tokens", "Histogram of the max_tokens request parameter.", TOKENS);
  const handlers = ["/v1/chat/completions", "/v1/completions", "/metrics", "/health", "/v1/models", "/tokenize", "/detokenize", "/version", "/ping", "/load"];
  out.push("# HELP http_requests_total Total number of requests by method, status and handler.", "# TYPE http_requests_total counter");
  for (const h of handlers) for (const s of ["2xx", "4xx"]) out.push(`http_requests_total{handler="${h}",method="${h === "/metrics" || h === "/health" ? "GET" : "POST"}",status="${s}"} ${Math.floor(r() * 1e5)}.0`);
  out.push("# HELP http_request_size_bytes Content length of incoming requests by handler.", "# TYPE http_request_size_bytes summary");
  for (const h of handlers) out.push(`http_request_size_bytes_count{handler="${h}"} ${Math.floor(r() * 1e5)}.0`, `http_request_size_bytes_sum{handler="${h}"} ${Math.floor(r() * 1e8)}.0`);
  out.push("# HELP http_response_size_bytes Content length of outgoing responses by handler.", "# TYPE http_response_size_bytes summary");
  for (const h of handlers) out.push(`http_response_size_bytes_count{handler="${h}"} ${Math.floor(r() * 1e5)}.0`, `http_response_size_bytes_sum{handler="${h}"} ${Math.floor(r() * 1e8)}.0`);
  const HIGHR = [0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10, 30, 60];
  histogram("http_request_duration_highr_seconds", "Latency with many buckets but no API specific labels.", HIGHR, 'job="vllm"');
  for (const h of handlers) histogram("http_request_duration_seconds", "Latency with only few buckets by handler.", [0.1, 0.5, 1], `handler="${h}",method="POST"`);
  return `${out.join("\n")}\n`;
}

// ----------------------------------------------------------------------------------- the tenants' HTTP

/** TCP connections the tenants' servers accepted (a scrape on a kept-alive connection opens none). */
let connections = 0;

async function serveTenant(t: Tenant): Promise<number> {
  const server = createServer((req, res) => {
    if (req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const body = scrape(t);
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  server.on("connection", () => connections++);
  t.server = server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

// ------------------------------------------------------------------------------------- child and /proc

interface Child {
  child: ChildProcess;
  port: number;
  info: { ioStat?: Record<string, string> };
  lines: string[];
  exited: Promise<number | null>;
}

const root = join(here, "..");
const buildDir = join(here, "results", ".agent-build");

/**
 * The compiled tree the image would run: every module of the node agent's graph through TypeScript's
 * own emit (transpileModule, the tsconfig's options; no type check), one .js per .ts as `tsc` writes
 * dist/, with the .proto files beside them and the test fixtures linked. Under bench/results/ (git
 * ignored) so bare imports resolve from the repository's node_modules.
 */
function compileTree(): string {
  rmSync(buildDir, { recursive: true, force: true });
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, verbatimModuleSyntax: true, esModuleInterop: true, sourceMap: false };
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== "results" && e.name !== "fixtures") walk(r);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts")) {
        mkdirSync(join(buildDir, dirname(r)), { recursive: true });
        writeFileSync(join(buildDir, r.replace(/\.ts$/, ".js")), ts.transpileModule(readFileSync(join(root, r), "utf8"), { compilerOptions: options, fileName: r }).outputText);
      } else if (e.name.endsWith(".proto")) {
        mkdirSync(join(buildDir, dirname(r)), { recursive: true });
        copyFileSync(join(root, r), join(buildDir, r));
      }
    }
  };
  for (const dir of ["cmd", "core", "platform", "webhook", "extender", "nodeagent", "autoscaler", "certs", "test/builders", "test/nodeagent"]) walk(dir);
  for (const file of ["main.ts", "bench/agentChild.ts"]) {
    mkdirSync(join(buildDir, dirname(file)), { recursive: true });
    writeFileSync(join(buildDir, file.replace(/\.ts$/, ".js")), ts.transpileModule(readFileSync(join(root, file), "utf8"), { compilerOptions: options, fileName: file }).outputText);
  }
  symlinkSync(join(root, "test", "fixtures"), join(buildDir, "test", "fixtures"));
  copyFileSync(join(root, "package.json"), join(buildDir, "package.json"));
  return join(buildDir, "bench", "agentChild.js");
}

const childArgv: string[] = runtime === "tsx" ? ["--import", "tsx", join(here, "agentChild.ts")] : [compileTree()];

function startChild(args: readonly string[], nodeFlags: readonly string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...nodeFlags, ...childArgv, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buf = "";
    let info = {};
    child.stdout!.on("data", (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.startsWith("INFO ")) info = JSON.parse(line.slice(5)) as object;
        const m = /^PORT (\d+)$/.exec(line);
        if (m) resolve({ child, port: Number(m[1]), info, lines, exited });
      }
    });
    void exited.then((code) => reject(new Error(`agentChild.ts ${args.join(" ")} exited with ${code}`)));
  });
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of proc(5) (utime, stime), counted from field 3 after the command name.
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

function statusKiB(pid: number): { rss: number; hwm: number; threads: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { rss: field("VmRSS"), hwm: field("VmHWM"), threads: field("Threads") };
}

class Sampler {
  readonly rssKiB: number[] = [];
  cpu0 = 0;
  t0 = 0;
  cpu1 = 0;
  t1 = 0;
  hwmKiB = 0;
  threads = 0;
  /** CPU share per second of the window, to see the spread. */
  readonly perSecond: number[] = [];
  #lastCpu = 0;
  #lastT = 0;
  constructor(readonly pid: number) {}
  start(): void {
    this.cpu0 = this.#lastCpu = cpuSeconds(this.pid);
    this.t0 = this.#lastT = performance.now();
  }
  sample(): void {
    const s = statusKiB(this.pid);
    this.rssKiB.push(s.rss);
    this.hwmKiB = s.hwm;
    this.threads = s.threads;
  }
  second(): void {
    const cpu = cpuSeconds(this.pid);
    const t = performance.now();
    this.perSecond.push((cpu - this.#lastCpu) / ((t - this.#lastT) / 1000));
    this.#lastCpu = cpu;
    this.#lastT = t;
  }
  stop(): void {
    this.cpu1 = cpuSeconds(this.pid);
    this.t1 = performance.now();
  }
  get cpuShare(): number {
    return (this.cpu1 - this.cpu0) / ((this.t1 - this.t0) / 1000);
  }
  get cpuSecondsUsed(): number {
    return this.cpu1 - this.cpu0;
  }
  get rssMaxMiB(): number {
    return Math.max(...this.rssKiB) / 1024;
  }
  get rssMeanMiB(): number {
    return this.rssKiB.reduce((a, b) => a + b, 0) / this.rssKiB.length / 1024;
  }
  get rssLastMiB(): number {
    return this.rssKiB.at(-1)! / 1024;
  }
}

// ------------------------------------------------------------------------------------ agent's /metrics

async function agentMetrics(port: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return parseExposition(await res.text()).samples;
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

function byLabel(samples: readonly Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) if (s.name === name) out[s.labels[label] ?? ""] = (out[s.labels[label] ?? ""] ?? 0) + s.value;
  return out;
}

/** Quantile from the cycle histogram's buckets in the window (Prometheus-style interpolation). */
function histogramQuantile(q: number, before: readonly Sample[], after: readonly Sample[], name: string): number | undefined {
  const buckets = (ss: readonly Sample[]) => new Map(ss.filter((s) => s.name === `${name}_bucket`).map((s) => [s.labels["le"]!, s.value]));
  const b0 = buckets(before);
  const b1 = buckets(after);
  const rows = [...b1.entries()].map(([le, v]) => ({ le: le === "+Inf" ? Infinity : Number(le), n: v - (b0.get(le) ?? 0) })).sort((a, b) => a.le - b.le);
  const total = rows.at(-1)?.n ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const r of rows) {
    if (r.n >= rank) return r.le === Infinity ? prevLe : prevLe + ((r.le - prevLe) * (rank - prevN)) / Math.max(r.n - prevN, 1e-9);
    prevLe = r.le;
    prevN = r.n;
  }
  return undefined;
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const round = (x: number, d = 1) => Number(x.toFixed(d));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------------------------------------ run

interface Stopped {
  stopMs: number;
  restoredAll: boolean;
  mismatches: string[];
  polls: Array<{ endMs: number; cycleMs: number; throttles: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number }>;
  error?: string;
}

const work = mkdtempSync(join(tmpdir(), "steward-bench-agent-"));
for (const t of tenants) t.pod.metricsPort = await serveTenant(t);
const bodyBytes = Buffer.byteLength(tenants[0]!.exposition.text() + tenants[0]!.padding);
const NODE_NAME = "gpu-node-1";
const nodeObject = { apiVersion: "v1", kind: "Node", metadata: { name: NODE_NAME, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } } };

/** The Pod as the API server holds it: the SLO and metrics port as annotations, the opt-in as a label, QoS from its resources. */
function podObject(p: BenchPod): Record<string, unknown> {
  const annotations: Record<string, string> = {};
  if (p.sloMs !== undefined) annotations["gpu-steward.io/p99-slo-ms"] = String(p.sloMs);
  if (p.metricsPort !== undefined) annotations["gpu-steward.io/metrics-port"] = String(p.metricsPort);
  const labels: Record<string, string> = { app: p.name.replace(/-\d+$/, "") };
  if (p.throttleOptIn) labels["gpu-steward.io/throttle"] = "allowed";
  const resources = p.qos === "Guaranteed" ? { requests: { cpu: "4", memory: "32Gi", "nvidia.com/gpu": "1" }, limits: { cpu: "4", memory: "32Gi", "nvidia.com/gpu": "1" } } : { requests: { cpu: "2", memory: "16Gi" }, limits: { "nvidia.com/gpu": "1" } };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: p.name, namespace: p.namespace, annotations, labels },
    spec: { nodeName: NODE_NAME, containers: [{ name: "main", image: "vllm/vllm-openai:v0.10.1", resources }] },
    status: { phase: "Running", podIP: "127.0.0.1", hostIP: "10.0.0.1", qosClass: p.qos },
  };
}

// light: the Node and the pods live in a fake API server in this process; the agent reaches it over HTTP.
const apiServer: FakeApiServer | undefined = kubeMode === "light" ? await startFakeApiServer(systemClock) : undefined;
apiServer?.store.create(NODES, "", nodeObject);
const laidOut: LaidOutPod[] = [...tenants.map((t) => t.pod), ...neighbours].map((p) => {
  const object = podObject(p);
  const created = apiServer?.store.create(PODS, p.namespace, object);
  return { ...p, object, ...(created && { uid: (created["metadata"] as { uid: string }).uid }) };
});
const layout: BenchLayout = {
  nodeName: NODE_NAME,
  pollIntervalSeconds: pollSeconds,
  nodeCpuCores: 64,
  logFile: join(work, "agent.log"),
  pods: laidOut,
  node: nodeObject,
  ...(apiServer && { apiServer: { url: apiServer.url, token: TOKEN } }),
};
writeFileSync(join(work, "layout.json"), JSON.stringify(layout));

const load0 = loadavg();
console.log(
  `node agent: ${tenants.length} tenants (${tenants.filter((t) => t.behaviour === "breaching").length} breaching, ${tenants.filter((t) => t.behaviour === "intermittent").length} intermittent) + ${neighbours.length} opted-in batch pods on 8 GPUs, ` +
    `/metrics ${(bodyBytes / 1024).toFixed(1)} KiB (${exposition}), cluster ${kubeMode === "light" ? "over HTTP (light client)" : "in memory"}, ${pollSeconds} s polls, ${warmupSeconds} s warm-up + ${seconds} s measured, ${runtime} (${process.version}), ` +
    `load average ${load0.map((x) => x.toFixed(2)).join(" ")} on ${cpus().length} CPUs`,
);

const [idle, floor, agent] = await Promise.all([startChild(["idle"]), startChild(["floor", join(root, "main.ts")]), startChild(["agent", join(work, "layout.json")], agentNodeFlags)]);
const children = { agent, idle, floor };
const ioStat = agent.info.ioStat ?? {};
const ioBytes = new Map<string, number>(Object.keys(ioStat).map((n) => [n, 0]));
const ioRate = new Map<string, number>(Object.keys(ioStat).map((n) => [n, n.startsWith("finetune-") ? between(100e6, 400e6) : between(1e6, 5e6)]));
const writeIo = () => {
  for (const [name, file] of Object.entries(ioStat)) {
    const b = ioBytes.get(name)! + ioRate.get(name)!;
    ioBytes.set(name, b);
    writeFileSync(file, `259:0 rbytes=${Math.floor(b * 0.8)} wbytes=${Math.floor(b * 0.2)} rios=${Math.floor(b / 131072)} wios=${Math.floor(b / 524288)} dbytes=0 dios=0\n`);
  }
};
writeIo();
let ioTimer: NodeJS.Timeout | undefined = setInterval(writeIo, 1000);
const stopIo = () => {
  clearInterval(ioTimer);
  ioTimer = undefined;
};

let result: Record<string, unknown>;
try {
  await sleep(warmupSeconds * 1000);
  const samplers = { agent: new Sampler(agent.child.pid!), idle: new Sampler(idle.child.pid!), floor: new Sampler(floor.child.pid!) };
  const before = await agentMetrics(agent.port);
  const windowStartMs = Date.now();
  for (const s of Object.values(samplers)) s.start();
  const parentCpu0 = process.cpuUsage();
  const connections0 = connections;
  const parentT0 = performance.now();
  const end = performance.now() + seconds * 1000;
  let nextSecond = performance.now() + 1000;
  while (performance.now() < end) {
    for (const s of Object.values(samplers)) s.sample();
    if (performance.now() >= nextSecond) {
      for (const s of Object.values(samplers)) s.second();
      nextSecond += 1000;
    }
    await sleep(200);
  }
  for (const s of Object.values(samplers)) s.stop();
  const parentCpu = process.cpuUsage(parentCpu0);
  const newConnections = connections - connections0;
  const parentCpuPct = ((parentCpu.user + parentCpu.system) / 1000 / (performance.now() - parentT0)) * 100;
  const windowEndMs = Date.now();
  const after = await agentMetrics(agent.port);

  // Stop (io first: the child removes its cgroup tree on exit); the agent reports its polls and whether every cgroup file is back.
  stopIo();
  for (const c of Object.values(children)) c.child.kill("SIGTERM");
  const agentExit = await agent.exited;
  await Promise.all([idle.exited, floor.exited]);
  const stoppedLine = agent.lines.find((l) => l.startsWith("STOPPED "));
  const stopped = stoppedLine === undefined ? undefined : (JSON.parse(stoppedLine.slice(8)) as Stopped);

  // The window's polls, exactly (the child's record), and from the histogram.
  const inWindow = (ms: number) => ms >= windowStartMs && ms <= windowEndMs;
  const all = stopped?.polls ?? [];
  const windowPolls = all.filter((p) => inWindow(p.endMs));
  const cycleMs = windowPolls.map((p) => p.cycleMs);
  const periods = all.slice(1).flatMap((p, i) => (inWindow(p.endMs) ? [p.endMs - all[i]!.endMs] : []));
  const H = "gpu_steward_agent_cycle_seconds";
  const dCount = value(after, `${H}_count`) - value(before, `${H}_count`);
  const dSum = value(after, `${H}_sum`) - value(before, `${H}_sum`);
  const delta = (name: string, label: string) => {
    const a = byLabel(after, name, label);
    const b = byLabel(before, name, label);
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
  };

  // The agent's log (warn and above).
  let logLines: string[] = [];
  try {
    logLines = readFileSync(layout.logFile, "utf8").split("\n").filter((l) => l !== "");
  } catch {
    // no line written
  }
  const logSummary: Record<string, number> = {};
  for (const line of logLines) {
    let key: string;
    try {
      const o = JSON.parse(line) as { level: string; msg: string };
      key = `${o.level}: ${o.msg}`;
    } catch {
      key = `unparsed: ${line.slice(0, 80)}`;
    }
    logSummary[key] = (logSummary[key] ?? 0) + 1;
  }
  const errorLines = logLines.filter((l) => /"level":"(error|fatal)"/.test(l));

  const a = samplers.agent;
  const i = samplers.idle;
  const f = samplers.floor;
  const cpuPct = a.cpuShare * 100;
  const idlePct = i.cpuShare * 100;
  const cpuMsPerPoll = (a.cpuSecondsUsed * 1000) / Math.max(dCount, 1);
  const meanPeriodMs = periods.reduce((x, y) => x + y, 0) / Math.max(periods.length, 1);
  // The agent waits the full interval after each poll: at the default it polls every 10 s + the poll's own time.
  const loopMs = meanPeriodMs - pollSeconds * 1000;
  const cpuPctAt10Naive = (cpuPct * pollSeconds) / DEFAULT_POLL_SECONDS;
  const cpuPctAt10 = idlePct + ((cpuMsPerPoll - (idlePct / 100) * meanPeriodMs) / (DEFAULT_POLL_SECONDS * 1000 + loopMs)) * 100;

  result = {
    bench: "agent",
    runtime,
    kube: kubeMode,
    node: process.version,
    cpus: cpus().length,
    seconds,
    warmupSeconds,
    pollSeconds,
    tenants: tenants.length,
    breaching: tenants.filter((t) => t.behaviour === "breaching").length,
    intermittent: tenants.filter((t) => t.behaviour === "intermittent").length,
    neighbours: neighbours.length,
    exposition,
    metricsBodyBytes: bodyBytes,
    clockTicks: CLK_TCK,
    loadAverageAtStart: load0.map((x) => round(x, 2)),
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    /** This process (the 100 endpoints and the sampling) shares the machine's CPUs with the agent. */
    benchProcessCpuPct: round(parentCpuPct, 1),
    agent: {
      rssMaxMiB: round(a.rssMaxMiB),
      rssMeanMiB: round(a.rssMeanMiB),
      rssFirstMiB: round(a.rssKiB[0]! / 1024),
      rssLastMiB: round(a.rssLastMiB),
      rssMeanByThirdMiB: [0, 1, 2].map((k) => {
        const n = a.rssKiB.length;
        const part = a.rssKiB.slice(Math.floor((k * n) / 3), Math.floor(((k + 1) * n) / 3));
        return round(part.reduce((x, y) => x + y, 0) / Math.max(part.length, 1) / 1024);
      }),
      /** V8 at the end of each poll in the window: the heap (used, reserved) and memory outside it. */
      heapUsedMiBMeanMax: [round(windowPolls.reduce((x, p) => x + p.heapUsedMiB, 0) / Math.max(windowPolls.length, 1)), round(Math.max(...windowPolls.map((p) => p.heapUsedMiB)))],
      heapTotalMiBMeanMax: [round(windowPolls.reduce((x, p) => x + p.heapTotalMiB, 0) / Math.max(windowPolls.length, 1)), round(Math.max(...windowPolls.map((p) => p.heapTotalMiB)))],
      externalMiBMax: round(Math.max(...windowPolls.map((p) => p.externalMiB))),
      peakRssSinceStartMiB: round(a.hwmKiB / 1024),
      threads: a.threads,
      cpuSeconds: round(a.cpuSecondsUsed, 3),
      cpuPctOfOneCore: round(cpuPct, 2),
      cpuPctPerSecondP50: round(quantile(a.perSecond, 0.5) * 100, 2),
      cpuPctPerSecondMax: round(Math.max(...a.perSecond) * 100, 2),
      cpuMsPerPoll: round(cpuMsPerPoll, 1),
      cpuPctAt10sNaive: round(cpuPctAt10Naive, 2),
      cpuPctAt10s: round(cpuPctAt10, 2),
    },
    idle: { rssMaxMiB: round(i.rssMaxMiB), rssMeanMiB: round(i.rssMeanMiB), peakRssSinceStartMiB: round(i.hwmKiB / 1024), threads: i.threads, cpuPctOfOneCore: round(idlePct, 3) },
    stewardFloor: { rssMaxMiB: round(f.rssMaxMiB), rssMeanMiB: round(f.rssMeanMiB), peakRssSinceStartMiB: round(f.hwmKiB / 1024), threads: f.threads, cpuPctOfOneCore: round(f.cpuShare * 100, 3) },
    cycles: {
      inWindow: dCount,
      meanPeriodMs: round(meanPeriodMs, 1),
      meanMsFromHistogram: round((dSum / Math.max(dCount, 1)) * 1000, 1),
      p50MsFromHistogram: round((histogramQuantile(0.5, before, after, H) ?? NaN) * 1000, 1),
      meanMs: round(cycleMs.reduce((x, y) => x + y, 0) / Math.max(cycleMs.length, 1), 1),
      p50Ms: quantile(cycleMs, 0.5),
      p99Ms: quantile(cycleMs, 0.99),
      maxMs: Math.max(...cycleMs),
      slowerThanPoll: cycleMs.filter((m) => m > pollSeconds * 1000).length,
      /** A whole poll (cycle + NodeReport build and write + timer lag): the spacing of poll ends minus the wait. */
      pollLoopMsMean: round(loopMs, 1),
      pollLoopMsMax: round(Math.max(...periods) - pollSeconds * 1000, 1),
      byResult: delta("gpu_steward_agent_cycles_total", "result"),
      /** New TCP connections to the tenants per poll (0: every scrape reused a kept-alive one; 100: none did). */
      newConnectionsPerPoll: round(newConnections / Math.max(dCount, 1), 1),
    },
    tenantsByStatusAtEnd: byLabel(after, "gpu_steward_agent_tenants", "status"),
    actionsInWindow: delta("gpu_steward_agent_actions_total", "kind"),
    actionsTotal: byLabel(after, "gpu_steward_agent_actions_total", "kind"),
    violationsInWindow: value(after, "gpu_steward_agent_violations_total") - value(before, "gpu_steward_agent_violations_total"),
    scrapeErrorsInWindow: value(after, "gpu_steward_agent_scrape_errors_total") - value(before, "gpu_steward_agent_scrape_errors_total"),
    throttlesActiveAtEnd: value(after, "gpu_steward_agent_throttles_active"),
    inputsUp: byLabel(after, "gpu_steward_agent_input_up", "input"),
    reportWrites: byLabel(after, "gpu_steward_agent_report_writes_total", "result"),
    /** light: what the agent asked of the API server over the whole run (`METHOD path-kind status`), and any protocol rule it broke. */
    ...(apiServer && {
      apiServer: {
        requests: apiServer.requests.reduce<Record<string, number>>((n, q) => {
          const key = `${q.method} ${q.path.replace(/\/(nodes|nodereports)\/[^/]+/, "/$1/{name}").replace(/\/namespaces\/[^/]+/, "/namespaces/{ns}")}${q.query["watch"] !== undefined ? " (watch)" : ""} ${q.status}`;
          n[key] = (n[key] ?? 0) + 1;
          return n;
        }, {}),
        violations: apiServer.violations.slice(0, 10),
      },
    }),
    stop: { exitCode: agentExit, stopMs: stopped?.stopMs, restoredAll: stopped?.restoredAll, mismatches: stopped?.mismatches, error: stopped?.error },
    log: { lines: logLines.length, byMessage: logSummary, errors: errorLines.slice(0, 5) },
    targets: {
      rssMiB: TARGET_RSS_MIB,
      cpuPctAt10s: TARGET_CPU_PCT_AT_10S,
      rssMet: a.rssMaxMiB <= TARGET_RSS_MIB,
      cpuMet: cpuPctAt10 <= TARGET_CPU_PCT_AT_10S,
      note:
        "RSS: the agent child's max over the window. CPU at 10 s is scaled from 1 s polls and assumes the cost per poll dominates: " +
        "cpuPctAt10s = idle + (CPU per poll − idle's share of a poll period) / (10 s + the poll's own time), since the agent waits the full interval after each poll; " +
        "cpuPctAt10sNaive = CPU/10 (right only when a poll is much shorter than the interval).",
    },
  };
} finally {
  stopIo();
  for (const c of Object.values(children)) c.child.kill("SIGTERM");
  for (const t of tenants) t.server?.close();
  await apiServer?.close();
}

const r = result as {
  agent: Record<string, number>;
  idle: Record<string, number>;
  stewardFloor: Record<string, number>;
  cycles: Record<string, number>;
  tenantsByStatusAtEnd: Record<string, number>;
  actionsInWindow: Record<string, number>;
  violationsInWindow: number;
  scrapeErrorsInWindow: number;
  throttlesActiveAtEnd: number;
  targets: { rssMet: boolean; cpuMet: boolean };
  stop: { restoredAll?: boolean; exitCode: number | null; stopMs?: number };
  log: { lines: number; byMessage: Record<string, number> };
};
const A = r.agent;
const I = r.idle;
const F = r.stewardFloor;
const C = r.cycles;
console.table({
  "RSS max (MiB)": { agent: A.rssMaxMiB, idle: I.rssMaxMiB, "agent − idle": round(A.rssMaxMiB! - I.rssMaxMiB!), "steward agent floor": F.rssMaxMiB, target: `≤ ${TARGET_RSS_MIB}` },
  "RSS mean (MiB)": { agent: A.rssMeanMiB, idle: I.rssMeanMiB, "agent − idle": round(A.rssMeanMiB! - I.rssMeanMiB!), "steward agent floor": F.rssMeanMiB },
  "RSS first → last sample (MiB)": { agent: `${A.rssFirstMiB} → ${A.rssLastMiB}` },
  "RSS mean by third of the window (MiB)": { agent: (A.rssMeanByThirdMiB as unknown as number[]).join(" / ") },
  "V8 heap used / reserved at poll ends, mean (max) (MiB)": { agent: `${(A.heapUsedMiBMeanMax as unknown as number[]).join(" (")}) / ${(A.heapTotalMiBMeanMax as unknown as number[]).join(" (")})` },
  "peak RSS since start, VmHWM (MiB)": { agent: A.peakRssSinceStartMiB, idle: I.peakRssSinceStartMiB, "steward agent floor": F.peakRssSinceStartMiB },
  [`CPU % of one core, ${pollSeconds} s polls`]: { agent: A.cpuPctOfOneCore, idle: I.cpuPctOfOneCore, "agent − idle": round(A.cpuPctOfOneCore! - I.cpuPctOfOneCore!, 2), "steward agent floor": F.cpuPctOfOneCore },
  "CPU % per second (p50 / max)": { agent: `${A.cpuPctPerSecondP50} / ${A.cpuPctPerSecondMax}` },
  "CPU ms per poll": { agent: A.cpuMsPerPoll },
  "CPU % at 10 s polls (CPU/10)": { agent: A.cpuPctAt10sNaive },
  "CPU % at 10 s polls (per poll / 10 s + poll)": { agent: A.cpuPctAt10s, target: `≤ ${TARGET_CPU_PCT_AT_10S}` },
  "cycle ms mean (histogram / exact)": { agent: `${C.meanMsFromHistogram} / ${C.meanMs}` },
  "cycle ms p50 / p99 / max (exact)": { agent: `${C.p50Ms} / ${C.p99Ms} / ${C.maxMs}` },
  "whole poll ms mean / max (period − wait)": { agent: `${C.pollLoopMsMean} / ${C.pollLoopMsMax}` },
  "polls in window (mean period ms)": { agent: `${C.inWindow} (${C.meanPeriodMs})` },
  "cycles slower than the poll interval": { agent: C.slowerThanPoll },
  "new TCP connections to tenants per poll": { agent: C.newConnectionsPerPoll },
});
console.log(`load average at the end ${(result as { loadAverageAtEnd: number[] }).loadAverageAtEnd.join(" ")}; this process (endpoints, sampling) ${(result as { benchProcessCpuPct: number }).benchProcessCpuPct} % of a core`);
console.log("tenants by status at the end:", r.tenantsByStatusAtEnd);
console.log("in the window: actions", r.actionsInWindow, `violations ${r.violationsInWindow}, scrape errors ${r.scrapeErrorsInWindow}; throttles active at the end ${r.throttlesActiveAtEnd}`);
console.log(`stop: exit ${r.stop.exitCode} after ${r.stop.stopMs} ms, every cgroup file restored: ${r.stop.restoredAll}`);
console.log(`agent log (warn and above): ${r.log.lines} lines`, r.log.byMessage);
const api = (result as { apiServer?: { requests: Record<string, number>; violations: string[] } }).apiServer;
if (api) console.log("API server requests (whole run):", api.requests, `protocol violations: ${api.violations.length}`);
console.log(
  `targets: RSS ${A.rssMaxMiB} MiB ≤ ${TARGET_RSS_MIB}: ${r.targets.rssMet ? "met" : "NOT met"}; ` +
    `CPU at 10 s polls ${A.cpuPctAt10s} % (CPU/10: ${A.cpuPctAt10sNaive} %) ≤ ${TARGET_CPU_PCT_AT_10S} %: ${r.targets.cpuMet ? "met" : "NOT met"} ` +
    "(scaled from 1 s polls; assumes the cost per poll dominates)",
);
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", "agent.json"), `${JSON.stringify(result, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
rmSync(buildDir, { recursive: true, force: true });

/**
 * `npm run bench:autoscaler`: one optimisation (candidates + solve) of the inference optimizer on
 * the sample data's `large` system and on a generated system of 1,000 servers and 10 accelerator
 * types (seeded, BENCH_SEED). Each scenario runs first in a fresh child process, which reports the
 * cold time and its peak RSS over a child that only loads the same data; then in this process,
 * warm, median of BENCH_RUNS. Prints the figures (targets: large < 100 ms, 1,000 servers < 2 s).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildCandidates, decodeSystemDocuments, INFERENCE_DOCUMENT_NAMES, optimize, type SystemSpec } from "../core/inference/index.js";
import { seededRandom } from "./seededRandom.js";

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 9);
const seed = Number(process.env.BENCH_SEED ?? 20260611);


/**
 * 10 card types, 20 models (perf figures in the sample data's ranges), 3 classes, 1,000 servers
 * with their own loads and token counts (so no two size the same queue), and capacity for about
 * two thirds of the unlimited demand so the greedy, re-queueing and best effort all run.
 */
function generatedSystem(servers: number, types: number, s: number): SystemSpec {
  const r = seededRandom(s);
  const between = (lo: number, hi: number) => lo + (hi - lo) * r();
  const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const f = Math.fround;
  const accelerators = Array.from({ length: types }, (_, i) => ({
    name: `T${i}`, type: `T${i}`, multiplicity: 1, memSize: 80, memBW: 2000,
    power: { idle: 100, full: 400, midPower: 300, midUtil: f(0.6) }, cost: f(int(4, 80)),
  }));
  const models = Array.from({ length: 20 }, (_, i) => `model_${i}`);
  const perf = models.flatMap((name) => {
    const size = between(0.5, 4);
    return accelerators.map((a, j) => {
      const speed = 0.5 + j / types;
      const beta = f((0.02 + 0.1 * r()) * size / speed);
      return { name, acc: a.name, accCount: size > 3 ? 2 : 1, maxBatchSize: int(8, 128), atTokens: 512, perfParms: { alpha: f(between(10, 60) * size / speed), beta, gamma: f(beta / 32) } };
    });
  });
  const classes = [
    { name: "Premium", priority: 1, itl: [60, 120], ttft: 1000 },
    { name: "Bronze", priority: 2, itl: [100, 200], ttft: 2000 },
    { name: "Free", priority: 3, itl: [150, 300], ttft: 4000 },
  ].map((c) => ({ name: c.name, priority: c.priority, modelTargets: models.map((model) => ({ model, "slo-itl": f(between(c.itl[0]!, c.itl[1]!)), "slo-ttft": f(c.ttft), "slo-tps": 0 })) }));
  const zeroAlloc = { accelerator: "", numReplicas: 0, maxBatch: 0, cost: 0, itlAverage: 0, ttftAverage: 0 };
  const serverSpecs = Array.from({ length: servers }, (_, i) => {
    const cls = classes[int(0, 2)]!.name;
    const load = { arrivalRate: f(between(5, 300)), throughput: 0, avgInTokens: int(64, 2048), avgOutTokens: int(64, 1536) };
    return { name: `${cls}-server-${String(i).padStart(4, "0")}`, class: cls, model: models[int(0, models.length - 1)]!, keepAccelerator: false, minNumReplicas: 0, maxBatchSize: 0, maxQueueSize: 0, currentAlloc: { ...zeroAlloc, load }, desiredAlloc: { ...zeroAlloc, load: { arrivalRate: 0, throughput: 0, avgInTokens: 0, avgOutTokens: 0 } } };
  });
  const system: SystemSpec = {
    acceleratorData: { accelerators },
    modelData: { models: perf },
    serviceClassData: { serviceClasses: classes },
    serverData: { servers: serverSpecs },
    optimizerData: { optimizer: { unlimited: true, heterogeneous: false, milpSolver: false, useCplex: false, delayedBestEffort: false, saturationPolicy: "PriorityRoundRobin" } },
    capacityData: { count: [] },
  };
  // Capacity: two thirds of what the unlimited plan uses per type, at least 8 cards.
  const demand = optimize(system).unitsByType;
  system.capacityData.count = accelerators.map((a) => ({ type: a.type, count: Math.max(8, Math.floor(((demand[a.type]?.units ?? 0) * 2) / 3)) }));
  system.optimizerData.optimizer.unlimited = false;
  return system;
}

function largeSystem(): SystemSpec {
  const dir = join(here, "../test/fixtures/inference/sample-data/v0.7.0/large");
  const decoded = decodeSystemDocuments(Object.fromEntries(INFERENCE_DOCUMENT_NAMES.map((n) => [n, readFileSync(join(dir, n), "utf8")])));
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.system;
}

const SCENARIOS: Record<string, () => SystemSpec> = {
  large: largeSystem,
  "generated-1000x10": () => generatedSystem(1000, 10, seed),
};

const MiB = 1024 * 1024;

/** Child mode: load one scenario, optionally optimise once, report cold time and peak RSS. */
function child(name: string, solve: boolean): void {
  const system = SCENARIOS[name]!();
  let ms = 0;
  if (solve) {
    const t0 = performance.now();
    optimize(system);
    ms = performance.now() - t0;
  }
  process.stdout.write(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS }));
}

function inChild(name: string, solve: boolean): { ms: number; maxRssKiB: number } {
  const args = ["--import", "tsx", fileURLToPath(import.meta.url), "--child", name, solve ? "solve" : "load"];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" })) as { ms: number; maxRssKiB: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

if (process.argv[2] === "--child") {
  child(process.argv[3]!, process.argv[4] === "solve");
} else {
  console.log(`inference optimizer benchmark (node ${process.version}, seed ${seed}, ${runs} warm runs)`);
  for (const [name, make] of Object.entries(SCENARIOS)) {
    const base = inChild(name, false);
    const cold = inChild(name, true);
    const system = make();
    const { candidatesByServer } = buildCandidates(system);
    const candidates = [...candidatesByServer.values()].reduce((n, c) => n + c.length, 0);
    const times: number[] = [];
    let result = optimize(system);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      result = optimize(system);
      times.push(performance.now() - t0);
    }
    const status = Object.values(result.status).reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
    console.log(
      `${name.padEnd(18)} servers=${system.serverData.servers.length} accelerators=${system.acceleratorData.accelerators.length} candidates=${candidates}` +
        ` | cold ${cold.ms.toFixed(1)} ms, warm median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)})` +
        ` | peak RSS ${((cold.maxRssKiB * 1024) / MiB).toFixed(1)} MiB (+${(((cold.maxRssKiB - base.maxRssKiB) * 1024) / MiB).toFixed(1)} MiB over loading the data)` +
        ` | status ${JSON.stringify(status)}`,
    );
  }
}

/**
 * The node agent of `npm run bench:agent`, in its own process so its RSS and CPU are its own.
 *
 * `agentChild.ts agent LAYOUT.json`: builds the node from the layout the parent wrote (bench/agent.bench.ts):
 * the cluster (BENCH_KUBE=light, the default: the parent's fake API server over HTTP, through the light
 * client the agent uses in a pod, platform/kube/lightAgentPorts.ts; BENCH_KUBE=memory: an in-memory
 * cluster in this process, its modules imported only then) with the Node and its Running pods, their pod
 * cgroups in a temp cgroup v2 tree, the XD670 8× H100 host (nvidia-smi answered from fixtures in memory,
 * sysfs in a temp host root, one NVMe disk), pod-resources answers spreading the pods over the 8 GPUs,
 * and starts the daemon with the wall clock and real waits. The tenants' /metrics are the parent's HTTP servers (podIP 127.0.0.1, one port
 * each). Prints `INFO <json>` (the io.stat file of every pod, which the parent advances as the kernel
 * would) and `PORT <metricsPort>`. On SIGTERM: stops the agent (which restores every throttle), checks
 * that every cpu.max and io.max is back as it was, prints `STOPPED <json>` (that check and the time of
 * each poll) and exits.
 *
 * `agentChild.ts idle`: the baseline: the same imports, nothing started; prints `PORT 0` and sleeps.
 * `agentChild.ts floor MAIN.ts`: also loads every module `steward agent` loads (main.ts's imports: all the
 * subcommands, @grpc/grpc-js, express, …), nothing started: the floor of the deployed agent process.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { AgentConfig, startAgent, type AgentKube, type PodDevicesLike, type RunningAgent } from "../nodeagent/daemon/index.js";
import { systemClock } from "../platform/clock.js";
import { lightAgentKube } from "../platform/kube/lightAgentPorts.js";
import { LightKubeClient } from "../platform/kube/lightClient.js";
import { createLogger } from "../platform/log.js";
import { XD670_GPU_UUIDS, xd670Host, xd670Runner } from "../test/builders/xd670Node.js";
import { CgroupTree } from "../test/nodeagent/cgroups/cgroupTree.js";

/** One pod of the benchmark node, as the parent lays it out. */
export interface BenchPod {
  name: string;
  namespace: string;
  qos: "Guaranteed" | "Burstable";
  /** Set: a latency tenant with this p99 SLO. */
  sloMs?: number;
  /** Set: its /metrics on 127.0.0.1:port. */
  metricsPort?: number;
  throttleOptIn: boolean;
  /** Index into the 8 GPUs, and the time-slice replica it holds there. */
  gpu: number;
  replica: number;
  cpuMax: string;
}

/** A pod as the layout carries it: also the Pod object the parent built, and its uid when the parent's API server holds it. */
export interface LaidOutPod extends BenchPod {
  object: Record<string, unknown>;
  /** Set with BENCH_KUBE=light: the parent created the Pod in its fake API server. */
  uid?: string;
}

export interface BenchLayout {
  nodeName: string;
  pollIntervalSeconds: number;
  nodeCpuCores: number;
  logFile: string;
  pods: LaidOutPod[];
  /** The Node object. */
  node: Record<string, unknown>;
  /** Set: the parent's fake API server, which holds the Node and the pods (BENCH_KUBE=light). */
  apiServer?: { url: string; token: string };
}

const mode = process.argv[2];

if (mode === "idle" || mode === "floor") {
  // The same module graph is loaded (the static imports above); nothing is started.
  if (mode === "floor") {
    // main.ts runs the CLI when imported: load what it imports instead (relative to this file's tree,
    // so the compiled tree loads the compiled modules).
    const root = new URL("../", import.meta.url);
    const mainSource = readFileSync(process.argv[3]!, "utf8");
    for (const m of mainSource.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gm)) {
      const spec = m[1]!;
      await import(spec.startsWith(".") ? new URL(spec, root).href : spec);
    }
  }
  process.stdout.write("PORT 0\n");
  setInterval(() => undefined, 1 << 30);
  process.once("SIGTERM", () => process.exit(0));
} else if (mode === "agent") {
  await runAgent(JSON.parse(readFileSync(process.argv[3]!, "utf8")) as BenchLayout);
} else {
  process.stderr.write("usage: agentChild.ts agent LAYOUT.json | idle | floor MAIN.ts\n");
  process.exit(2);
}

async function runAgent(layout: BenchLayout): Promise<void> {
  const NODE = layout.nodeName;
  const host = xd670Host();
  const tree = new CgroupTree();
  const stateDir = mkdtempSync(join(tmpdir(), "steward-bench-agent-state-"));
  mkdirSync(join(host.hostRoot, "sys/block/nvme0n1"), { recursive: true });
  writeFileSync(join(host.hostRoot, "sys/block/nvme0n1/dev"), "259:0\n");

  // warn and above, to a file the parent reads at the end (synchronous: nothing lost at exit; warn lines are few).
  const log = createLogger({ level: "warn", destination: pino.destination({ dest: layout.logFile, sync: true }) });
  const kubeLog = createLogger({ level: "silent" });
  const server = layout.apiServer;
  // light: the agent's own client, as in a pod; memory: the cluster in this process (its modules loaded only here).
  const memory = server === undefined ? await memoryCluster(NODE, layout.node) : undefined;
  const kube: AgentKube = server !== undefined ? lightAgentKube(new LightKubeClient({ server: server.url, token: () => server.token }), NODE, kubeLog, systemClock, { podName: "agent" }) : memory!.kube;

  const ioStat: Record<string, string> = {};
  const files: Array<{ dir: string; cpuMax: string; ioMax: string }> = [];
  const devices: PodDevicesLike[] = [];
  for (const p of layout.pods) {
    const uid = p.uid ?? memory!.createPod(p);
    const dir = tree.addPod(uid, p.qos, "systemd", { cpuMax: p.cpuMax });
    writeFileSync(join(dir, "io.stat"), "");
    ioStat[p.name] = join(dir, "io.stat");
    files.push({ dir, cpuMax: p.cpuMax, ioMax: "" });
    const gpu = XD670_GPU_UUIDS[p.gpu % XD670_GPU_UUIDS.length]!;
    devices.push({ namespace: p.namespace, name: p.name, containers: [{ name: "main", devices: [{ resourceName: "nvidia.com/gpu", deviceIds: [`${gpu}::${p.replica}`], numaNodes: [p.gpu < 4 ? 0 : 1] }] }] });
  }

  const config = AgentConfig.parse({
    nodeName: NODE,
    pollIntervalSeconds: layout.pollIntervalSeconds,
    hostRoot: host.hostRoot,
    cgroupRoot: tree.root,
    cgroupDriver: "systemd",
    stateDir,
    metricsPort: 0,
    bindAddress: "127.0.0.1",
    podResourcesSocket: "",
    tenantMetricsDir: "",
    log: { level: "warn" },
  });
  const agent: RunningAgent = await startAgent(config, {
    nodeName: NODE,
    version: "0.1.0-bench",
    runner: xd670Runner(),
    clock: systemClock,
    log,
    kube,
    // The kubelet's answer, as the gRPC client returns it (a fresh array per call, as decoding makes one).
    podResources: { list: async () => devices.map((d) => ({ ...d })) },
    nodeCpuCores: layout.nodeCpuCores,
  });

  // When each poll finished, how long cycle.run took, and the V8 heap then (one promise per poll: no measurable cost).
  const polls: Array<{ endMs: number; cycleMs: number; throttles: number; heapUsedMiB: number; heapTotalMiB: number; externalMiB: number }> = [];
  const MiB = 1024 * 1024;
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const r = await agent.nextCycle();
      const m = process.memoryUsage();
      polls.push({ endMs: Date.now(), cycleMs: r.durationMs, throttles: r.throttles.length, heapUsedMiB: m.heapUsed / MiB, heapTotalMiB: m.heapTotal / MiB, externalMiB: m.external / MiB });
    }
  })();

  process.stdout.write(`INFO ${JSON.stringify({ ioStat, pid: process.pid })}\n`);
  process.stdout.write(`PORT ${agent.metricsPort}\n`);

  process.once("SIGTERM", () => {
    stopped = true;
    const t0 = Date.now();
    void agent.stop().then(
      () => {
        const mismatches: string[] = [];
        for (const f of files) {
          const cpu = readFileSync(join(f.dir, "cpu.max"), "utf8");
          const io = readFileSync(join(f.dir, "io.max"), "utf8");
          if (cpu !== f.cpuMax) mismatches.push(`${f.dir}/cpu.max: ${JSON.stringify(cpu)} (was ${JSON.stringify(f.cpuMax)})`);
          if (/(bps|iops)=\d/.test(io)) mismatches.push(`${f.dir}/io.max: ${JSON.stringify(io)}`);
        }
        process.stdout.write(`STOPPED ${JSON.stringify({ stopMs: Date.now() - t0, restoredAll: mismatches.length === 0, mismatches, polls })}\n`);
        host.remove();
        tree.cleanup();
        rmSync(stateDir, { recursive: true, force: true });
        process.exit(0);
      },
      (err: unknown) => {
        process.stdout.write(`STOPPED ${JSON.stringify({ error: String(err), polls })}\n`);
        process.exit(1);
      },
    );
  });
}

/** BENCH_KUBE=memory: the in-memory cluster (these modules load client-node, so only this mode imports them). */
async function memoryCluster(nodeName: string, node: Record<string, unknown>): Promise<{ kube: AgentKube; createPod(p: LaidOutPod): string }> {
  const [{ memoryAdapters }, { MemoryObjectStore }, { NODES, PODS }, { MemoryNodes }, { memoryPodsOnNode }] = await Promise.all([
    import("../platform/kube/memory.js"),
    import("../platform/kube/memoryStore.js"),
    import("../platform/kube/memoryWatch.js"),
    import("../platform/kube/nodes.js"),
    import("../platform/kube/podsOnNode.js"),
  ]);
  const store = new MemoryObjectStore(systemClock);
  const ports = memoryAdapters(createLogger({ level: "silent" }), systemClock, { podName: "agent" }, { store });
  store.create(NODES, "", node);
  const nodes = new MemoryNodes(store);
  return {
    kube: {
      podsOnNode: memoryPodsOnNode(store, nodeName),
      reports: ports.nodeReports,
      node: { uid: async (n) => (await nodes.get(n))?.uid, labels: async (n) => (await nodes.get(n))?.labels ?? {}, setLabels: (n, l) => nodes.patchLabels(n, l) },
    },
    createPod: (p) => (store.create(PODS, p.namespace, p.object).metadata as { uid: string }).uid,
  };
}

/**
 * The node agent as a process: polls with an in-memory cluster (pods on its node, its Node, the
 * NodeReport store), the XD670 node's nvidia-smi fixtures, a cgroup v2 tree and vLLM expositions.
 * It reports, protects the tenant, serves its metrics, and leaves every cgroup file as it found it:
 * on shutdown, and at start after a run that died with throttles in place.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseNodeReport } from "../../../core/nodeReport/index.js";
import { ThrottleRecords } from "../../../nodeagent/cgroups/index.js";
import { AgentConfig, startAgent, type AgentKube, type PodDevicesLike, type RunningAgent } from "../../../nodeagent/daemon/index.js";
import type { MetricsClient } from "../../../nodeagent/tenants/index.js";
import { ManualClock } from "../../../platform/clock.js";
import type { Wait } from "../../../platform/kube/leader.js";
import { memoryAdapters } from "../../../platform/kube/memory.js";
import { MemoryObjectStore } from "../../../platform/kube/memoryStore.js";
import { NODES, PODS } from "../../../platform/kube/memoryWatch.js";
import { MemoryNodes } from "../../../platform/kube/nodes.js";
import { memoryPodsOnNode } from "../../../platform/kube/podsOnNode.js";
import { createLogger } from "../../../platform/log.js";
import { openStore } from "../../../platform/store/index.js";
import { VllmExposition } from "../../builders/vllmExposition.js";
import { XD670_GPU_UUIDS, xd670Host, xd670Runner } from "../../builders/xd670Node.js";
import { CgroupTree } from "../cgroups/cgroupTree.js";

const NODE = "gpu-node-1";
const silent = createLogger({ level: "silent" });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function pod(name: string, ip: string, qosClass: string, annotations: Record<string, string>, labels: Record<string, string>) {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "team-a", annotations, labels }, spec: { nodeName: NODE, containers: [{ name: "main" }] }, status: { phase: "Running", podIP: ip, qosClass } };
}

class Metrics implements MetricsClient {
  constructor(readonly byIp: Map<string, VllmExposition>) {}
  async get(url: string): Promise<string> {
    const s = this.byIp.get(new URL(url).hostname);
    if (!s) throw new Error(`GET ${url}: connect ECONNREFUSED`);
    return s.text();
  }
}

async function node(opts: { stateDir?: string; tenantE2eS?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  const host = xd670Host();
  const tree = new CgroupTree();
  cleanups.push(() => host.remove(), () => tree.cleanup());
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "steward-agent-state-"));
  mkdirSync(join(host.hostRoot, "sys/block/nvme0n1"), { recursive: true });
  writeFileSync(join(host.hostRoot, "sys/block/nvme0n1/dev"), "259:0\n");
  const store = new MemoryObjectStore(clock);
  const ports = memoryAdapters(silent, clock, { podName: "agent" }, { store });
  store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: NODE, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } } });
  // The API server assigns UIDs; the pods' cgroups are named after them.
  const uidOf = (o: { metadata?: unknown }) => (o.metadata as { uid: string }).uid;
  const tenantUid = uidOf(store.create(PODS, "team-a", pod("llama-serve-0", "10.0.0.5", "Guaranteed", { "gpu-steward.io/p99-slo-ms": "500" }, {})));
  const bullyUid = uidOf(store.create(PODS, "team-a", pod("finetune-0", "10.0.0.6", "Burstable", {}, { "gpu-steward.io/throttle": "allowed" })));
  const dirs = { tenant: tree.addPod(tenantUid, "Guaranteed", "systemd", { cpuMax: "400000 100000\n" }), bully: tree.addPod(bullyUid, "Burstable", "systemd", { cpuMax: "800000 100000\n" }) };
  let bullyIo = 0;
  const ioTick = () => {
    bullyIo += 200_000_000;
    writeFileSync(join(dirs.bully, "io.stat"), `259:0 rbytes=${bullyIo} wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n`);
    writeFileSync(join(dirs.tenant, "io.stat"), "");
  };
  ioTick();

  const nodes = new MemoryNodes(store);
  const kube: AgentKube = {
    podsOnNode: memoryPodsOnNode(store, NODE),
    reports: ports.nodeReports,
    node: { uid: async (n) => (await nodes.get(n))?.uid, labels: async (n) => (await nodes.get(n))?.labels ?? {}, setLabels: (n, l) => nodes.patchLabels(n, l) },
  };
  const devices: PodDevicesLike[] = [
    { namespace: "team-a", name: "llama-serve-0", containers: [{ name: "main", devices: [{ resourceName: "nvidia.com/gpu", deviceIds: [`${XD670_GPU_UUIDS[0]}::0`], numaNodes: [0] }] }] },
    { namespace: "team-a", name: "finetune-0", containers: [{ name: "main", devices: [{ resourceName: "nvidia.com/gpu", deviceIds: [`${XD670_GPU_UUIDS[0]}::1`], numaNodes: [0] }] }] },
  ];
  const tenant = new VllmExposition();
  // Between polls (one per step()): the tenant serves 100 requests, the batch pod reads 200 MB, time moves on.
  let release: (() => void) | undefined;
  const wait: Wait = async (ms, signal) => {
    await new Promise<void>((resolve) => {
      release = resolve;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    if (signal.aborted) return;
    tenant.serveMany(100, opts.tenantE2eS ?? 2);
    ioTick();
    clock.advance(ms);
  };
  const config = AgentConfig.parse({
    nodeName: NODE,
    hostRoot: host.hostRoot,
    cgroupRoot: tree.root,
    cgroupDriver: "systemd",
    stateDir,
    metricsPort: 0,
    bindAddress: "127.0.0.1",
    podResourcesSocket: "",
    tenantMetricsDir: "",
    slo: { persistenceWindows: 2, cooldownObservations: 50 },
    throttle: { cooldownMs: 0 },
  });
  const start = () =>
    startAgent(config, {
      nodeName: NODE,
      version: "0.1.0-test",
      runner: xd670Runner(),
      clock,
      log: silent,
      kube,
      podResources: { list: async () => devices },
      metricsClient: new Metrics(new Map([["10.0.0.5", tenant]])),
      nodeCpuCores: 64,
      wait,
    });
  /** Lets the agent take one more poll and waits for it. */
  const step = async (agent: RunningAgent) => {
    const next = agent.nextCycle();
    release?.();
    await next;
  };
  return { clock, tree, dirs, store, ports, stateDir, start, tenant, step, tenantUid, bullyUid };
}

/** The first poll runs at start; then `n` more, one per step. */
async function polls(n: Awaited<ReturnType<typeof node>>, agent: RunningAgent, count: number) {
  await vi.waitFor(() => expect(agent.lastStatus()).toBeDefined());
  for (let i = 0; i < count; i++) await n.step(agent);
}

describe("steward agent (daemon)", () => {
  it("writes its NodeReport, throttles the noisy neighbour of a tenant missing its SLO, serves metrics, and restores everything on stop", async () => {
    const n = await node();
    const agent = await n.start();
    cleanups.push(() => agent.stop());
    await polls(n, agent, 4);

    const stored = await n.ports.nodeReports.get(NODE);
    const report = parseNodeReport(stored);
    expect(report.spec.nodeName).toBe(NODE);
    expect(stored?.["metadata"]).toMatchObject({ name: NODE, ownerReferences: [expect.objectContaining({ kind: "Node", name: NODE })] });
    const status = report.status!;
    expect(status.topology?.gpus).toHaveLength(8);
    expect(status.topology?.links[0]?.[1]).toBe("NV18");
    expect(status.tenants).toEqual([expect.objectContaining({ uid: n.tenantUid, pod: "llama-serve-0", sloMs: 500, gpu: XD670_GPU_UUIDS[0], samples: 100 })]);
    expect(status.tenants[0]!.p99Ms).toBeGreaterThan(500);
    // By device id: the two time-slice replicas of GPU 0.
    expect(status.allocation.map((a) => [a.gpu, a.pod, a.container, a.resource])).toEqual([
      [`${XD670_GPU_UUIDS[0]}::0`, "llama-serve-0", "main", "nvidia.com/gpu"],
      [`${XD670_GPU_UUIDS[0]}::1`, "finetune-0", "main", "nvidia.com/gpu"],
    ]);
    expect(status.replicas).toEqual([expect.objectContaining({ uid: n.tenantUid, requestRate: 10, model: "meta-llama/Llama-3.1-8B-Instruct" })]);
    expect(status.agent).toMatchObject({ version: "0.1.0-test", dryRun: false, pollIntervalSeconds: 10 });
    expect(status.throttles.map((t) => [t.pod, t.file, t.original, t.victimUid])).toEqual([
      ["finetune-0", "cpu.max", "800000 100000\n", n.tenantUid],
      ["finetune-0", "io.max", "", n.tenantUid],
    ]);
    expect(readFileSync(join(n.dirs.bully, "cpu.max"), "utf8")).not.toBe("800000 100000\n");
    expect(readFileSync(join(n.dirs.bully, "io.max"), "utf8")).toMatch(/^259:0 rbps=\d+/);

    const metrics = await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/gpu_steward_agent_throttles_active 2/);
    expect(metrics).toMatch(/gpu_steward_agent_actions_total\{kind="throttle"\} [1-9]/);
    expect(metrics).toMatch(/gpu_steward_agent_input_up\{input="nvidia-smi"\} 1/);
    expect((await fetch(`http://127.0.0.1:${agent.metricsPort}/readyz`)).status).toBe(200);

    await agent.stop();
    cleanups.pop();
    expect(readFileSync(join(n.dirs.bully, "cpu.max"), "utf8")).toBe("800000 100000\n");
    expect(readFileSync(join(n.dirs.bully, "io.max"), "utf8")).not.toContain("rbps=");
  });

  it("at start, puts back what a previous run left throttled (it died with kill -9)", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "steward-agent-state-"));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const n = await node({ stateDir, tenantE2eS: 0.1 });
    // What the dead run had done: the original recorded, then the file changed.
    const db = openStore(join(stateDir, "agent.db"), silent);
    const rel = n.dirs.bully.slice(n.tree.root.length + 1);
    new ThrottleRecords(db.db).recordOriginal(n.bullyUid, "cpu.max", rel, "800000 100000\n", n.clock.nowMs());
    db.close();
    writeFileSync(join(n.dirs.bully, "cpu.max"), "100000 100000\n");

    const agent = await n.start();
    cleanups.push(() => agent.stop());
    expect(readFileSync(join(n.dirs.bully, "cpu.max"), "utf8")).toBe("800000 100000\n");
    await polls(n, agent, 1);
    expect(agent.lastStatus()?.throttles).toEqual([]);
  });
});

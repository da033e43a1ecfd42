/**
 * One node for the agent cycle: two GPUs, a latency tenant sharing GPU 0 (time-sliced) with an
 * opted-in batch pod, another opted-in pod on GPU 1; a cgroup v2 tree holding their pod cgroups (with
 * io.stat), a SQLite store for throttle originals, vLLM expositions served from memory, and the
 * pod-resources answer. Each `poll()` advances the clock 10 s and runs one cycle.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_SLO_POLICY, DEFAULT_THROTTLE_POLICY, TenantSloTracker } from "../../../core/slo/index.js";
import { CgroupThrottler, IoRates, PodIoReader, ThrottleRecords } from "../../../nodeagent/cgroups/index.js";
import { AgentCycle, type CycleDeps, type CycleResult, type PodDevicesLike } from "../../../nodeagent/daemon/index.js";
import { NO_MIG, type GpuDiscovery } from "../../../nodeagent/discovery/index.js";
import { readAgentPod, TenantScraper, type AgentPod, type MetricsClient } from "../../../nodeagent/tenants/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { VllmExposition } from "../../builders/vllmExposition.js";
import { CgroupTree, UID_A, UID_B, UID_C } from "../cgroups/cgroupTree.js";

export const TENANT = UID_A;
export const BATCH = UID_B;
export const OTHER = UID_C;
export const DISK = "259:0";

export const discovery: GpuDiscovery = {
  source: "nvidia-smi",
  driverVersion: "550.54.15",
  cudaVersion: "12.4",
  gpus: [0, 1].map((index) => ({
    index,
    uuid: index === 0 ? "GPU-aaaaaaaa-0000-0000-0000-000000000000" : "GPU-bbbbbbbb-0000-0000-0000-000000000000",
    busId: `0000:${index === 0 ? "18" : "9a"}:00.0`,
    model: "NVIDIA H100 80GB HBM3",
    memoryTotalMiB: 81559,
    memoryUsedMiB: 40000,
    utilizationGpuPercent: index === 0 ? 90 : 10,
    migMode: { current: "Disabled", pending: "Disabled" },
    pciDeviceId: "0x233010DE",
    numaNode: index,
    localCpuList: index === 0 ? "0-31" : "32-63",
  })),
  mig: NO_MIG,
  computeApps: [],
  problems: [],
};

function agentPod(uid: string, name: string, ip: string, annotations: Record<string, string>, labels: Record<string, string>, qosClass: string): AgentPod {
  const r = readAgentPod({ metadata: { uid, name, namespace: "team-a", annotations, labels }, status: { phase: "Running", podIP: ip, qosClass } });
  if (!r.ok) throw new Error(r.problem);
  return r.pod;
}

class MemoryMetrics implements MetricsClient {
  readonly servers = new Map<string, VllmExposition>();
  async get(url: string): Promise<string> {
    const server = this.servers.get(new URL(url).hostname);
    if (server === undefined) throw new Error(`GET ${url}: connect ECONNREFUSED`);
    return server.text();
  }
}

export interface Harness {
  clock: ManualClock;
  tree: CgroupTree;
  store: Store;
  records: ThrottleRecords;
  tenant: VllmExposition;
  pods: AgentPod[];
  devices: PodDevicesLike[];
  cycle: AgentCycle;
  logs: Array<Record<string, unknown>>;
  /** Adds `bytes` to a pod's io.stat on the disk (the pod did io). */
  io(uid: string, bytes: number): void;
  file(uid: string, qos: "Guaranteed" | "Burstable", name: "cpu.max" | "io.max"): string;
  poll(): Promise<CycleResult>;
  dispose(): void;
}

export function harness(opts: { mitigation?: boolean; tier2?: CycleDeps["tier2"]; podDevices?: () => Promise<PodDevicesLike[]>; batchOptIn?: boolean } = {}): Harness {
  const clock = new ManualClock(1_750_000_000_000);
  const tree = new CgroupTree();
  const sys = join(tree.base, "sys");
  mkdirSync(join(sys, "block/nvme0n1"), { recursive: true });
  writeFileSync(join(sys, "block/nvme0n1/dev"), `${DISK}\n`);
  const ioTotals = new Map<string, number>();
  const dirs = new Map<string, string>();
  const add = (uid: string, qos: "Guaranteed" | "Burstable", cpuMax: string) => {
    const dir = tree.addPod(uid, qos, "systemd", { cpuMax, ioMax: "" });
    dirs.set(uid, dir);
    writeFileSync(join(dir, "io.stat"), "");
  };
  add(TENANT, "Guaranteed", "400000 100000\n");
  add(BATCH, "Burstable", "800000 100000\n");
  add(OTHER, "Burstable", "max 100000\n");
  const store = openStore(":memory:", createLogger({ level: "silent" }));
  const records = new ThrottleRecords(store.db);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", destination: { write: (l: string) => void logs.push(JSON.parse(l) as Record<string, unknown>) } });
  const metrics = new MemoryMetrics();
  const tenant = new VllmExposition();
  metrics.servers.set("10.0.0.5", tenant);
  const optIn: Record<string, string> = opts.batchOptIn === false ? {} : { "gpu-steward.io/throttle": "allowed" };
  const pods = [
    agentPod(TENANT, "llama-serve-0", "10.0.0.5", { "gpu-steward.io/p99-slo-ms": "500" }, {}, "Guaranteed"),
    agentPod(BATCH, "finetune-0", "10.0.0.6", {}, optIn, "Burstable"),
    agentPod(OTHER, "finetune-1", "10.0.0.7", {}, { "gpu-steward.io/throttle": "allowed" }, "Burstable"),
  ];
  const devices: PodDevicesLike[] = [
    { namespace: "team-a", name: "llama-serve-0", containers: [{ devices: [{ resourceName: "nvidia.com/gpu", deviceIds: ["GPU-aaaaaaaa-0000-0000-0000-000000000000::0"], numaNodes: [0] }] }] },
    { namespace: "team-a", name: "finetune-0", containers: [{ devices: [{ resourceName: "nvidia.com/gpu", deviceIds: ["GPU-aaaaaaaa-0000-0000-0000-000000000000::1"], numaNodes: [0] }] }] },
    { namespace: "team-a", name: "finetune-1", containers: [{ devices: [{ resourceName: "nvidia.com/gpu", deviceIds: ["GPU-bbbbbbbb-0000-0000-0000-000000000000"], numaNodes: [1] }] }] },
  ];
  const throttler = new CgroupThrottler({ root: tree.root, driver: "systemd", dryRun: false, records, log, clock });
  const cycle = new AgentCycle({
    discover: async () => discovery,
    pods: () => pods,
    podDevices: opts.podDevices ?? (async () => devices),
    scraper: new TenantScraper(metrics, { timeoutMs: 500, minSamples: 5, concurrency: 4 }),
    io: { reader: new PodIoReader(tree.root, "systemd"), rates: new IoRates(), disks: () => new Set([DISK]) },
    tracker: new TenantSloTracker({ ...DEFAULT_SLO_POLICY, persistenceWindows: 3, cooldownObservations: 2 }),
    ...(opts.mitigation !== false && { mitigation: { throttler, policy: { ...DEFAULT_THROTTLE_POLICY, cooldownMs: 15_000 }, maxAgeMs: 3_600_000, nodeCpuCores: 64 } }),
    ...(opts.tier2 && { tier2: opts.tier2 }),
    clock,
    log,
  });
  const qosOf = (uid: string) => (uid === TENANT ? "Guaranteed" : "Burstable");
  return {
    clock,
    tree,
    store,
    records,
    tenant,
    pods,
    devices,
    cycle,
    logs,
    io(uid, bytes) {
      const total = (ioTotals.get(uid) ?? 0) + bytes;
      ioTotals.set(uid, total);
      writeFileSync(join(dirs.get(uid)!, "io.stat"), `${DISK} rbytes=${total} wbytes=0 rios=10 wios=0 dbytes=0 dios=0\n`);
    },
    file(uid, _qos, name) {
      void qosOf;
      return readFileSync(join(dirs.get(uid)!, name), "utf8");
    },
    async poll() {
      clock.advance(10_000);
      return this.cycle.run();
    },
    dispose() {
      store.close();
      tree.cleanup();
    },
  };
}

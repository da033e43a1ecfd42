/**
 * The node agent as a process: one AgentCycle every poll, the NodeReport written after each, the
 * metrics and health on :8081, and every throttle undone on SIGTERM and at start-up (a crash or
 * kill -9 included). Each input degrades on its own: no nvidia-smi (sysfs inventory), no kubelet
 * socket (no allocation, tenants judged per node), no API server (no pods, no report), cgroup v1 (no
 * mitigation); each gives a log line and `gpu_steward_agent_input_up`, never a crash.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { StewardError } from "../../platform/errors.js";
import { cpus } from "node:os";
import path from "node:path";
import type { Registry } from "prom-client";
import { TenantSloTracker } from "../../core/slo/index.js";
import type { Clock } from "../../platform/clock.js";
import { createOpsHandler, createReadiness } from "../../platform/http/opsHandler.js";
import { createPlainServer } from "../../platform/http/plainServer.js";
import { listen } from "../../platform/http/listen.js";
import { unrefWait, type Wait } from "../../platform/kube/wait.js";
import type { EventRecorder, NodeReports, ObjectWatch } from "../../platform/kube/ports.js";
import { DEFAULT_BACKOFF, runReflector } from "../../platform/kube/reflector.js";
import type { Logger } from "../../platform/log.js";
import { createRegistry } from "../../platform/metrics.js";
import { openStore } from "../../platform/store/index.js";
import { CgroupThrottler, detectCgroupHierarchy, IoRates, isCgroupRefusal, PodIoReader, ThrottleRecords, wholeDisks } from "../cgroups/index.js";
import { discoverGpus, hostPaths, type CommandRunner, type HostPaths } from "../discovery/index.js";
import { HttpMetricsClient, NodePods, readMetricFiles, TenantScraper, type MetricsClient } from "../tenants/index.js";
import type { AgentConfig } from "./config.js";
import { AgentCycle, type CycleResult } from "./cycle.js";
import { AgentMetrics } from "./metrics.js";
import { MigDirectReconfigurer } from "./migDirect.js";
import { MigLayoutRequester, type NodeLabelsPort } from "./migRequest.js";
import type { PodDevicesLike } from "./podDevices.js";
import { buildReportStatus } from "./reportStatus.js";
import type { Condition, NodeReportStatus } from "../../core/nodeReport/index.js";

/** What the agent needs of the cluster; absent in standalone runs (`--once` on a workstation). */
export interface AgentKube {
  /** Pods with `spec.nodeName=<this node>`. */
  podsOnNode: ObjectWatch;
  reports: Pick<NodeReports, "apply">;
  node: NodeLabelsPort & { uid(nodeName: string): Promise<string | undefined> };
  /** Tier 2's requests and outcomes, as Events on the Node. */
  events?: EventRecorder;
}

export interface AgentDeps {
  nodeName: string;
  version: string;
  runner: CommandRunner;
  clock: Clock;
  log: Logger;
  registry?: Registry;
  kube?: AgentKube;
  podResources?: { list(): Promise<readonly PodDevicesLike[]> };
  metricsClient?: MetricsClient;
  nodeCpuCores?: number;
  wait?: Wait;
  /**
   * `--once`: look, never touch. No throttler (so no cgroup write and no restore of an earlier run's
   * leftovers, which the daemon does at start) and the state in memory, not under --state-dir.
   */
  readOnly?: boolean;
}

export interface RunningAgent {
  readonly metricsPort: number;
  /** The last cycle's report status (undefined before the first). */
  lastStatus(): NodeReportStatus | undefined;
  /** Resolves after the next full cycle (tests, benchmarks). */
  nextCycle(): Promise<CycleResult>;
  stop(): Promise<void>;
}

/** The parts of the agent, built once: shared by the daemon and `--once`. */
export interface AgentParts {
  cycle: AgentCycle;
  pods: NodePods;
  throttler: CgroupThrottler | undefined;
  metrics: AgentMetrics;
  registry: Registry;
  paths: HostPaths;
  close(): void;
}

/** The mig-parted config for --mig-direct, read once at start: a bad file stops the start, naming it. */
function readMigPartedConfig(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, "utf8"));
  } catch (err) {
    throw new StewardError("CONFIG_INVALID", `mitigation.migPartedConfig: ${path}: ${(err as Error).message}`, "mig-parted-config");
  }
}

export function buildAgent(config: AgentConfig, deps: AgentDeps): AgentParts {
  const log = deps.log;
  const paths = hostPaths({ hostRoot: config.hostRoot, ...(config.cgroupRoot !== undefined && { cgroupRoot: config.cgroupRoot }) });
  const registry = deps.registry ?? createRegistry();
  const metrics = new AgentMetrics(registry);
  if (!deps.readOnly) mkdirSync(config.stateDir, { recursive: true });
  const store = openStore(deps.readOnly ? ":memory:" : path.join(config.stateDir, "agent.db"), log.child({ component: "store" }));
  const records = new ThrottleRecords(store.db);

  let throttler: CgroupThrottler | undefined;
  try {
    if (!deps.readOnly) throttler = new CgroupThrottler({ root: paths.cgroup, driver: config.cgroupDriver, dryRun: config.dryRun, records, log, clock: deps.clock });
  } catch (err) {
    if (!isCgroupRefusal(err)) throw err;
    log.warn({ reason: err.reason, root: paths.cgroup, hierarchy: detectCgroupHierarchy(paths.cgroup) }, "mitigation off: this host is not cgroup v2; discovery and reporting go on");
  }
  metrics.setInput("cgroup-v2", throttler !== undefined);
  if (throttler !== undefined && records.list().length > 0) {
    // Left by a previous run (crash, kill -9, a node reboot keeps the database): put every file back first.
    const outcomes = throttler.restoreAll();
    log.warn({ restored: outcomes.map((o) => `${o.podUid} ${o.file}: ${o.result}`) }, "throttles left by a previous run restored");
  }

  const pods = new NodePods(log.child({ component: "node-pods" }));
  const tracker = new TenantSloTracker(config.slo);
  let polls = 0;
  const cycle = new AgentCycle({
    discover: () => discoverGpus({ runner: deps.runner, paths, nvidiaSmi: config.nvidiaSmi, timeoutMs: config.timeoutMs, details: polls++ % config.topologyEveryPolls === 0 ? "mig-capable" : "never" }),
    pods: () => pods.running(),
    ...(deps.podResources && { podDevices: () => deps.podResources!.list() }),
    scraper: new TenantScraper(deps.metricsClient ?? new HttpMetricsClient(), config.scrape),
    ...(config.tenantMetricsDir !== "" && {
      metricFiles: (nowMs: number) => readMetricFiles(path.join(paths.hostRoot, config.tenantMetricsDir), paths.proc, nowMs, 3 * config.pollIntervalSeconds * 1000),
    }),
    ...(throttler && { io: { reader: new PodIoReader(paths.cgroup, config.cgroupDriver), rates: new IoRates(), disks: () => wholeDisks(paths.sys) } }),
    tracker,
    ...(throttler &&
      config.mitigation.enabled && {
        mitigation: { throttler, policy: config.throttle, maxAgeMs: config.mitigation.maxAgeSeconds * 1000, nodeCpuCores: deps.nodeCpuCores ?? cpus().length },
      }),
    ...(config.mitigation.migDirect && {
      tier2: {
        requester: new MigDirectReconfigurer({
          nodeName: deps.nodeName,
          layout: config.mitigation.migLayout!,
          config: readMigPartedConfig(config.mitigation.migPartedConfig!),
          runner: deps.runner,
          nvidiaSmi: config.nvidiaSmi,
          timeoutMs: config.timeoutMs,
          dryRun: config.dryRun || deps.readOnly === true,
          log: log.child({ component: "tier2" }),
          ...(deps.kube?.events && { events: deps.kube.events }),
        }),
        afterViolations: config.mitigation.tier2AfterViolations,
      },
    }),
    ...(config.mitigation.migLayout !== undefined &&
      !config.mitigation.migDirect &&
      deps.kube && {
        tier2: {
          requester: new MigLayoutRequester({
            nodeName: deps.nodeName,
            layout: config.mitigation.migLayout,
            nodes: deps.kube.node,
            log: log.child({ component: "tier2" }),
            dryRun: config.dryRun,
            ...(deps.kube.events && { events: deps.kube.events }),
          }),
          afterViolations: config.mitigation.tier2AfterViolations,
        },
      }),
    clock: deps.clock,
    log: log.child({ component: "cycle" }),
  });
  return { cycle, pods, throttler, metrics, registry, paths, close: () => store.close() };
}

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const log = deps.log;
  const parts = buildAgent(config, deps);
  const { cycle, metrics } = parts;
  const stopping = new AbortController();
  const wait = deps.wait ?? unrefWait;

  const readiness = createReadiness();
  let last: { atMs: number; status: NodeReportStatus } | undefined;
  const staleAfterMs = 3 * config.pollIntervalSeconds * 1000;
  readiness.add("cycle", () => (last !== undefined && deps.clock.nowMs() - last.atMs <= staleAfterMs ? undefined : "no complete poll in the last 3 intervals"));
  const ops = createPlainServer({ handler: createOpsHandler(parts.registry, readiness), log: log.child({ component: "ops" }) });
  const { port } = await listen(ops.server, config.metricsPort, config.bindAddress);

  let reflector: Promise<void> | undefined;
  if (deps.kube) {
    reflector = runReflector(
      {
        source: deps.kube.podsOnNode,
        sink: parts.pods,
        log: log.child({ component: "pods-on-node" }),
        clock: deps.clock,
        wait,
        random: Math.random,
        backoff: DEFAULT_BACKOFF,
        onListed: () => metrics.setInput("api-server", true),
        onError: () => metrics.setInput("api-server", false),
      },
      stopping.signal,
    );
  }

  let nodeUid: string | undefined;
  let conditions: readonly Condition[] | undefined;
  const waiters: Array<(r: CycleResult) => void> = [];
  const writeReport = async (status: NodeReportStatus): Promise<void> => {
    const kube = deps.kube;
    if (!kube) return;
    try {
      nodeUid ??= await kube.node.uid(deps.nodeName);
      if (nodeUid === undefined) {
        metrics.reportWrites.labels("skipped").inc();
        log.warn({ node: deps.nodeName }, "NodeReport not written: no Node of that name (check --node-name / NODE_NAME)");
        return;
      }
      await kube.reports.apply(deps.nodeName, nodeUid, { spec: { nodeName: deps.nodeName }, status });
      metrics.reportWrites.labels("written").inc();
    } catch (err) {
      metrics.reportWrites.labels("failed").inc();
      log.warn({ err, code: "KUBE_API", node: deps.nodeName }, "NodeReport not written; trying again next poll");
    }
  };

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        const result = await cycle.run();
        metrics.observe(result);
        const fitted = buildReportStatus(result, {
          version: deps.version,
          dryRun: config.dryRun,
          pollIntervalSeconds: config.pollIntervalSeconds,
          ...(conditions && { previous: conditions }),
          ...(last?.status.topology && { lastTopology: last.status.topology }),
        });
        if (!fitted.fits) log.warn({ bytes: fitted.bytes, droppedReplicas: fitted.droppedReplicas, droppedProblems: fitted.droppedProblems }, "NodeReport trimmed to its size budget");
        conditions = fitted.status.conditions;
        last = { atMs: result.atMs, status: fitted.status };
        await writeReport(fitted.status);
        for (const w of waiters.splice(0)) w(result);
      } catch (err) {
        metrics.cycles.labels("failed").inc();
        log.error({ err, code: "INTERNAL" }, "agent poll failed; next poll in one interval");
      }
      await wait(config.pollIntervalSeconds * 1000, stopping.signal);
    }
  })();

  log.info({ node: deps.nodeName, port, pollIntervalSeconds: config.pollIntervalSeconds, dryRun: config.dryRun, mitigation: parts.throttler !== undefined && config.mitigation.enabled, tier2: config.mitigation.migLayout ?? null }, "node agent started");
  return {
    metricsPort: port,
    lastStatus: () => last?.status,
    nextCycle: () => new Promise((resolve) => waiters.push(resolve)),
    async stop() {
      stopping.abort();
      await loop;
      await reflector;
      if (parts.throttler !== undefined) {
        // Nothing of ours stays on the node when the agent is not there to watch it.
        const outcomes = parts.throttler.restoreAll();
        if (outcomes.length > 0) log.info({ restored: outcomes.map((o) => `${o.podUid} ${o.file}: ${o.result}`) }, "throttles restored on shutdown");
      }
      await ops.close();
      parts.close();
      log.info("node agent stopped");
    },
  };
}

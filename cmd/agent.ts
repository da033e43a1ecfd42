/**
 * `steward agent`: the node agent. As a DaemonSet (no --once) it polls every --poll-interval: GPUs and
 * topology, tenants' p99 against their SLO, Tier 1/2 mitigation, the NodeReport, and /metrics,
 * /healthz, /readyz on 8081; every throttle is undone on SIGTERM and at start. `--once --output json`
 * prints one full report (what the agent sees here) and exits; it never writes a cgroup, a GPU
 * setting or the report. Settings: defaults < --config file < STEWARD_* < flags.
 */
import { hostname } from "node:os";
import { existsSync } from "node:fs";
import path from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { detectCgroupHierarchy } from "../nodeagent/cgroups/index.js";
import { AgentConfig, buildAgent, buildReportStatus, startAgent, type AgentDeps, type AgentKube } from "../nodeagent/daemon/index.js";
import { ExecFileRunner, type CommandRunner } from "../nodeagent/discovery/index.js";
import { PodResourcesClient } from "../nodeagent/podResources/index.js";
import type { MetricsClient } from "../nodeagent/tenants/index.js";
import { systemClock, type Clock } from "../platform/clock.js";
import { loadConfig } from "../platform/config/load.js";
import type { OptionSpec } from "../platform/config/options.js";
import { kubeAdapters, loadKubeConfig } from "../platform/kube/client.js";
import { KubeNodes } from "../platform/kube/nodes.js";
import { kubePodsOnNode } from "../platform/kube/podsOnNode.js";
import { createLogger, type Logger } from "../platform/log.js";
import { STEWARD_VERSION } from "../platform/version.js";

export const agentOptions: readonly OptionSpec[] = [
  { flag: "once", path: "once", kind: "boolean", help: "look once, print the full report and exit (writes nothing)", defaultText: "false" },
  { flag: "output", path: "output", kind: "string", help: "report format with --once: json", defaultText: "json" },
  { flag: "dry-run", path: "dryRun", kind: "boolean", help: "log each cgroup write and MIG request it would make, make none", defaultText: "false" },
  { flag: "nvidia-smi", path: "nvidiaSmi", kind: "string", help: "nvidia-smi binary", defaultText: "nvidia-smi" },
  { flag: "host-root", path: "hostRoot", kind: "string", help: "where the host's /sys, /proc, /dev and /var are mounted", defaultText: "/" },
  { flag: "cgroup-root", path: "cgroupRoot", kind: "string", help: "cgroup v2 hierarchy root", defaultText: "<host-root>/sys/fs/cgroup" },
  { flag: "cgroup-driver", path: "cgroupDriver", kind: "string", help: "kubelet cgroup driver: auto|systemd|cgroupfs", defaultText: "auto" },
  { flag: "state-dir", path: "stateDir", kind: "string", help: "where throttle originals are kept (SQLite); a hostPath so they outlive the pod", defaultText: "/var/lib/gpu-steward" },
  { flag: "node-name", path: "nodeName", kind: "string", help: "the Kubernetes node name (default: $NODE_NAME, else the hostname)" },
  { flag: "poll-interval", path: "pollIntervalSeconds", kind: "number", help: "seconds between polls", defaultText: "10" },
  { flag: "timeout-ms", path: "timeoutMs", kind: "integer", help: "limit per nvidia-smi call", defaultText: "10000" },
  { flag: "metrics-port", path: "metricsPort", kind: "integer", help: "port of /metrics, /healthz, /readyz", defaultText: "8081" },
  { flag: "bind-address", path: "bindAddress", kind: "string", help: "address to listen on", defaultText: "0.0.0.0" },
  { flag: "pod-resources-socket", path: "podResourcesSocket", kind: "string", help: "kubelet pod-resources socket, under --host-root; empty = off", defaultText: "/var/lib/kubelet/pod-resources/kubelet.sock" },
  { flag: "tenant-metrics-dir", path: "tenantMetricsDir", kind: "string", help: "directory of <PID>.metric latency files (the original daemon's protocol), under --host-root; empty = off", defaultText: "/var/run/tenant_metrics" },
  { flag: "min-samples", path: "scrape.minSamples", kind: "integer", help: "requests a window needs before its p99 is judged", defaultText: "5" },
  { flag: "scrape-timeout-ms", path: "scrape.timeoutMs", kind: "integer", help: "limit per pod /metrics read", defaultText: "2000" },
  { flag: "mitigation", path: "mitigation.enabled", kind: "boolean", help: "Tier 1: throttle opted-in noisy neighbours through cgroup v2 (false: judge and report only)", defaultText: "true" },
  { flag: "mig-layout", path: "mitigation.migLayout", kind: "string", help: "Tier 2: mig-parted layout to request through nvidia.com/mig.config when Tier 1 is not enough (absent: Tier 2 off)" },
  { flag: "mig-direct", path: "mitigation.migDirect", kind: "boolean", help: "Tier 2 on nodes without the GPU operator: apply --mig-layout with nvidia-smi, only on an idle GPU already in MIG mode", defaultText: "false" },
  { flag: "mig-parted-config", path: "mitigation.migPartedConfig", kind: "string", help: "mig-parted config file (YAML) holding --mig-layout, with --mig-direct" },
  { flag: "slo-threshold-ms", path: "slo.tailThresholdMs", kind: "number", help: "p99 SLO for tenants whose annotation gives none", defaultText: "100" },
  { flag: "persistence-windows", path: "slo.persistenceWindows", kind: "integer", help: "breaching polls in a row before a tenant is violated", defaultText: "3" },
  { flag: "cooldown-observations", path: "slo.cooldownObservations", kind: "integer", help: "polls a victim is left alone after an action", defaultText: "10" },
  { flag: "kubeconfig", path: "kube.kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster'; absent = in a pod its service account, else standalone (no pods, no report)" },
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
];

export type AgentFlags = Readonly<Record<string, string | boolean | undefined>>;

export interface AgentCommandDeps {
  runner?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  clock?: Clock;
  log?: Logger;
  metricsClient?: MetricsClient;
  /** Tests and embedders pass the cluster; otherwise it comes from --kubeconfig or the pod. */
  kube?: AgentKube | null;
}

function loadAgentConfig(flags: AgentFlags, env: NodeJS.ProcessEnv): AgentConfig {
  return loadConfig(AgentConfig, agentOptions, { flags: { ...flags }, env, ...(typeof flags["config"] === "string" && { configFile: flags["config"] }) });
}

function kubeFromConfig(config: AgentConfig, nodeName: string, log: Logger, clock: Clock): AgentKube | undefined {
  const kc = loadKubeConfig(config.kube.kubeconfig);
  if (kc === undefined) return undefined;
  const ports = kubeAdapters(kc, log, clock, { podName: `steward-agent-${nodeName}` });
  const nodes = new KubeNodes(kc.makeApiClient(CoreV1Api));
  return {
    podsOnNode: kubePodsOnNode(kc, nodeName),
    reports: ports.nodeReports,
    events: ports.events,
    node: {
      uid: async (name) => (await nodes.get(name))?.uid,
      labels: async (name) => (await nodes.get(name))?.labels ?? {},
      setLabels: (name, labels) => nodes.patchLabels(name, labels),
    },
  };
}

function agentDeps(config: AgentConfig, deps: AgentCommandDeps, log: Logger, readOnly: boolean): AgentDeps {
  const env = deps.env ?? process.env;
  const nodeName = config.nodeName ?? env["NODE_NAME"] ?? hostname();
  const clock = deps.clock ?? systemClock;
  const kube = deps.kube === null ? undefined : (deps.kube ?? kubeFromConfig(config, nodeName, log, clock));
  const socket = config.podResourcesSocket === "" ? undefined : path.join(config.hostRoot, config.podResourcesSocket);
  // Absent socket: a node without the kubelet's pod-resources (or not mounted) is said once, not every poll.
  if (socket !== undefined && !existsSync(socket)) log.warn({ socket }, "kubelet pod-resources socket not found; GPUs are not attributed to pods (tenants judged per node)");
  return {
    nodeName,
    version: STEWARD_VERSION,
    runner: deps.runner ?? new ExecFileRunner(),
    clock,
    log,
    ...(kube && { kube }),
    ...(socket !== undefined && existsSync(socket) && { podResources: new PodResourcesClient({ socketPath: socket }) }),
    ...(deps.metricsClient && { metricsClient: deps.metricsClient }),
    readOnly,
  };
}

/** `--once`: one cycle, printed. Pods come from one list (no watch); nothing is written anywhere. */
export async function runAgentOnce(flags: AgentFlags, out: NodeJS.WritableStream, deps: AgentCommandDeps = {}): Promise<number> {
  const config = loadAgentConfig({ ...flags, once: true }, deps.env ?? {});
  const log = deps.log ?? createLogger({ level: config.log.level === "info" ? "warn" : config.log.level, destination: process.stderr });
  const d = agentDeps(config, deps, log, true);
  const parts = buildAgent(config, d);
  try {
    if (d.kube) {
      try {
        parts.pods.replace((await d.kube.podsOnNode.list()).items);
      } catch (err) {
        log.warn({ err, code: "KUBE_API" }, "pods on this node not listed; reporting without tenants");
      }
    }
    const result = await parts.cycle.run();
    const report = buildReportStatus(result, { version: d.version, dryRun: config.dryRun, pollIntervalSeconds: config.pollIntervalSeconds });
    const { discovery } = result;
    const doc = {
      nodeName: d.nodeName,
      generatedAt: (deps.now?.() ?? new Date()).toISOString(),
      dryRun: config.dryRun,
      hostRoot: parts.paths.hostRoot,
      cgroup: { root: parts.paths.cgroup, hierarchy: detectCgroupHierarchy(parts.paths.cgroup) },
      ...discovery,
      problems: result.problems,
      report: report.status,
    };
    out.write(`${JSON.stringify(doc, null, 2)}\n`);
    return 0;
  } finally {
    parts.close();
  }
}

/** The daemon: serves until SIGTERM/SIGINT, then restores every throttle and exits. */
export async function runAgent(flags: AgentFlags, out: NodeJS.WritableStream, deps: AgentCommandDeps = {}): Promise<number> {
  if (flags["once"] === true) return runAgentOnce(flags, out, { env: process.env, ...deps });
  const config = loadAgentConfig(flags, deps.env ?? process.env);
  const log = deps.log ?? createLogger({ level: config.log.level });
  const agent = await startAgent(config, agentDeps(config, deps, log, false));
  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, "stopping");
    await agent.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return new Promise<number>(() => undefined);
}

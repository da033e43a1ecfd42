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
import { detectCgroupHierarchy } from "../nodeagent/cgroups/index.js";
import { AgentConfig, buildAgent, buildReportStatus, startAgent, type AgentDeps, type AgentKube } from "../nodeagent/daemon/index.js";
import { ExecFileRunner, type CommandRunner } from "../nodeagent/discovery/index.js";
import { PodResourcesClient } from "../nodeagent/podResources/index.js";
import type { MetricsClient } from "../nodeagent/tenants/index.js";
import { systemClock, type Clock } from "../platform/clock.js";
import { loadConfig } from "../platform/config/load.js";
import { inClusterConnection, kubeSource } from "../platform/kube/inClusterCredentials.js";
import { lightAgentKube } from "../platform/kube/lightAgentPorts.js";
import { LightKubeClient } from "../platform/kube/lightClient.js";
import { createLogger, type Logger } from "../platform/log.js";
import { STEWARD_VERSION } from "../platform/version.js";

export { agentOptions } from "./agentOptions.js";
import { agentOptions } from "./agentOptions.js";

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

/**
 * In a pod (the DaemonSet): the light client (platform/kube/lightClient.ts), never client-node, whose
 * import alone costs ~70 MiB of the agent's 60 MiB budget. With a kubeconfig file (a workstation,
 * `--once`): client-node, which reads every kubeconfig (exec plugins, OIDC, client certificates),
 * imported here only so that only those runs pay for it.
 */
async function kubeFromConfig(config: AgentConfig, nodeName: string, log: Logger, clock: Clock): Promise<AgentKube | undefined> {
  const source = kubeSource(config.kube.kubeconfig);
  if (source === undefined) return undefined;
  const identity = { podName: `steward-agent-${nodeName}` };
  if (source.kind === "in-cluster") return lightAgentKube(new LightKubeClient(inClusterConnection()), nodeName, log, clock, identity);
  const [{ CoreV1Api }, { kubeAdapters, loadKubeConfig }, { KubeNodes }, { kubePodsOnNode }] = await Promise.all([
    import("@kubernetes/client-node"),
    import("../platform/kube/client.js"),
    import("../platform/kube/nodes.js"),
    import("../platform/kube/podsOnNode.js"),
  ]);
  const kc = loadKubeConfig(source.path);
  if (kc === undefined) return undefined;
  const ports = kubeAdapters(kc, log, clock, identity);
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

async function agentDeps(config: AgentConfig, deps: AgentCommandDeps, log: Logger, readOnly: boolean): Promise<AgentDeps> {
  const env = deps.env ?? process.env;
  const nodeName = config.nodeName ?? env["NODE_NAME"] ?? hostname();
  const clock = deps.clock ?? systemClock;
  const kube = deps.kube === null ? undefined : (deps.kube ?? (await kubeFromConfig(config, nodeName, log, clock)));
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
  const d = await agentDeps(config, deps, log, true);
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
  const agent = await startAgent(config, await agentDeps(config, deps, log, false));
  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, "stopping");
    await agent.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return new Promise<number>(() => undefined);
}

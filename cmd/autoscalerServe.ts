/**
 * `steward autoscaler` (without --once): the inference control loop as a service, `GET /invoke` on
 * 3300, periodic cycles, `/metrics`, `/healthz`. Settings: defaults < --config file < STEWARD_* <
 * flags (autoscaler/config.ts holds the defaults). Serves until SIGTERM/SIGINT.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { AutoscalerConfig, FirstMeasured, NodeReportLoadSource, PrometheusLoadSource, startAutoscaler } from "../autoscaler/index.js";
import { DEFAULT_INFERENCE_PROFILE, INFERENCE_PROFILES } from "../core/inference/index.js";
import { systemClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config/load.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";
import { kubeAdapters, loadKubeConfig } from "../platform/kube/client.js";
import { memoryAdapters } from "../platform/kube/memory.js";
import { createLogger } from "../platform/log.js";
import { PrometheusInstantQuery } from "../platform/prometheus/instantQuery.js";

export const autoscalerServeOptions: readonly OptionSpec[] = [
  { flag: "port", path: "port", kind: "integer", help: "HTTP port for /invoke, /metrics, /healthz", defaultText: "3300" },
  { flag: "bind-address", path: "bindAddress", kind: "string", help: "address to listen on", defaultText: "0.0.0.0" },
  { flag: "period", path: "periodSeconds", kind: "integer", help: "seconds between cycles; 0 = only on GET /invoke", defaultText: "60" },
  { flag: "dynamic", path: "dynamic", kind: "boolean", help: "re-read the static data files every cycle", defaultText: "false" },
  { flag: "data-path", path: "dataPath", kind: "string", help: "directory with accelerator-, model-, serviceclass-, optimizer- (and capacity-) data.json" },
  { flag: "data-configmap", path: "dataConfigMap", kind: "string", help: "namespace/name of a ConfigMap holding those documents as keys (instead of --data-path)" },
  { flag: "capacity-from", path: "capacityFrom", kind: "string", help: "nodes (GPU labels and allocatable) | file (capacity-data.json in --data-path, re-read each cycle)", defaultText: "nodes" },
  { flag: "prometheus-url", path: "prometheus.url", kind: "string", help: "Prometheus API root for vLLM load; absent = load labels only" },
  { flag: "prometheus-window", path: "prometheus.window", kind: "string", help: "rate() window of the vLLM queries", defaultText: "1m" },
  { flag: "prometheus-match", path: "prometheus.match", kind: "string", help: "how series map to Deployments: pod (namespace + pod name) | job (job = Deployment name, as inferno)", defaultText: "pod" },
  { flag: "prometheus-token-file", path: "prometheus.tokenFile", kind: "string", help: "file with a bearer token for Prometheus" },
  { flag: "load-from-nodereports", path: "loadFromNodeReports", kind: "boolean", help: "take load from the node agents' NodeReports first, then Prometheus, then the load labels", defaultText: "true" },
  { flag: "dry-run", path: "dryRun", kind: "boolean", help: "log the decisions, change nothing", defaultText: "false" },
  { flag: "max-change", path: "maxChange", kind: "integer", help: "largest replica change per Deployment per cycle; 0 = unbounded", defaultText: "0" },
  { flag: "scale-to-zero-classes", path: "scaleToZeroClasses", kind: "list", help: "service classes whose idle servers may go to 0 replicas (comma list)" },
  { flag: "accelerator-node-label", path: "acceleratorNodeLabel", kind: "string", help: "node label naming the accelerator type (capacity and nodeSelector)", defaultText: "gpu-steward.io/accelerator-type" },
  { flag: "profile", path: "profile", kind: "string", help: `optimizer generation: ${INFERENCE_PROFILES.join(" | ")}`, defaultText: DEFAULT_INFERENCE_PROFILE },
  { flag: "kubeconfig", path: "kube.kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster'; absent = in a pod its service account, else standalone (empty cluster)" },
  { flag: "identity", path: "kube.identity", kind: "string", help: "leader-election identity (default: hostname)" },
  { flag: "lease-namespace", path: "kube.leaseNamespace", kind: "string", help: "namespace of the Lease gpu-steward-autoscaler", defaultText: "gpu-steward" },
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
];

export type AutoscalerServeFlags = Record<string, string | boolean | undefined>;

/** Starts the loop and serves until a signal; the returned promise settles only on start failure. */
export async function runAutoscalerServe(flags: AutoscalerServeFlags): Promise<number> {
  const config = loadConfig(AutoscalerConfig, autoscalerServeOptions, {
    flags,
    env: process.env,
    ...(typeof flags["config"] === "string" && { configFile: flags["config"] }),
  });
  const log = createLogger({ level: config.log.level });
  const identity = config.kube.identity ?? hostname();
  const kc = loadKubeConfig(config.kube.kubeconfig);
  const kube = kc === undefined ? memoryAdapters(log, systemClock, { podName: identity }) : kubeAdapters(kc, log, systemClock, { podName: identity });
  let headers: Record<string, string> | undefined;
  if (config.prometheus.tokenFile !== undefined) {
    try {
      headers = { authorization: `Bearer ${(await readFile(config.prometheus.tokenFile, "utf8")).trim()}` };
    } catch (err) {
      throw new StewardError("CONFIG_INVALID", `prometheus.tokenFile: ${(err as Error).message}`, "prometheus-token-file");
    }
  }
  const prometheus =
    config.prometheus.url === undefined
      ? undefined
      : new PrometheusLoadSource(
          new PrometheusInstantQuery({ baseUrl: config.prometheus.url, timeoutMs: config.prometheus.timeoutMs, ...(headers && { headers }) }),
          config.prometheus.match,
          config.prometheus.window,
          log.child({ component: "autoscaler-load" }),
        );
  const sources = [
    ...(config.loadFromNodeReports ? [new NodeReportLoadSource(kube.nodeReports, log.child({ component: "autoscaler-load" }))] : []),
    ...(prometheus ? [prometheus] : []),
  ];
  const load = sources.length === 0 ? undefined : new FirstMeasured(sources);
  const running = await startAutoscaler(config, {
    kube,
    log,
    readFile: (path) => readFile(path, "utf8"),
    ...(load && { load }),
    leaderElection: kc !== undefined,
    identity,
  });
  const stop = async (signal: string): Promise<void> => {
    log.info({ signal }, "stopping");
    await running.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return new Promise<number>(() => undefined);
}

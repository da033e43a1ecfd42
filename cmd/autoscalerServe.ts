/**
 * `steward autoscaler` (without --once): the inference control loop as a service, `GET /invoke` on
 * 3300, periodic cycles, `/metrics`, `/healthz`. Settings: defaults < --config file < STEWARD_* <
 * flags (autoscaler/config.ts holds the defaults). Serves until SIGTERM/SIGINT.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { AutoscalerConfig, FirstMeasured, NodeReportLoadSource, PrometheusLoadSource, startAutoscaler } from "../autoscaler/index.js";
import { systemClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config/load.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";
import { kubeAdapters, loadKubeConfig } from "../platform/kube/client.js";
import { memoryAdapters } from "../platform/kube/memory.js";
import { createLogger } from "../platform/log.js";
import { PrometheusInstantQuery } from "../platform/prometheus/instantQuery.js";

export { autoscalerServeOptions } from "./autoscalerOptions.js";
import { autoscalerServeOptions } from "./autoscalerOptions.js";

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

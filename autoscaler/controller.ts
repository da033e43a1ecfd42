/**
 * `steward autoscaler`: the HTTP face and the timing of the loop. `GET /invoke` runs one cycle and
 * answers 200 `OK`, or 404 `{"message": "controller: <error>"}` as the inferno controller does;
 * periodic cycles run every `periodSeconds` (first one a period after start; errors are logged and
 * the next tick goes ahead). With a cluster, both run only on the leader of the Lease
 * `gpu-steward-autoscaler`, so two replicas never write the same Deployments; a follower answers
 * /invoke with 404 `controller: not the leader`. Without a cluster (standalone) there is no election.
 */
import express from "express";
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import { systemClock, type Clock } from "../platform/clock.js";
import { listen } from "../platform/http/listen.js";
import { applyServerTimeouts, closeServer } from "../platform/http/timeouts.js";
import { LeaderElector, unrefWait } from "../platform/kube/leader.js";
import type { KubePorts } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import { createRegistry } from "../platform/metrics.js";
import { AUTOSCALER_LEASE, type AutoscalerConfig } from "./config.js";
import { AutoscalerCycle, type CycleReport } from "./cycle.js";
import type { LoadSource } from "./loadSource.js";
import { AutoscalerMetrics } from "./metrics.js";
import { configMapDocuments, fileDocuments, type ReadTextFile, type StaticDocuments } from "./staticData.js";

export interface AutoscalerDeps {
  kube: KubePorts;
  log: Logger;
  readFile: ReadTextFile;
  load?: LoadSource;
  clock?: Clock;
  registry?: Registry;
  /** Elect a leader on the Lease (cluster mode); false runs the loop unconditionally (standalone, tests). */
  leaderElection: boolean;
  /** Lease identity (pod name). */
  identity?: string;
}

export interface RunningAutoscaler {
  port: number;
  /** The last cycle's report (undefined before the first); for tests and debugging. */
  lastReport(): CycleReport | undefined;
  stop(): Promise<void>;
}

function staticDocuments(config: AutoscalerConfig, deps: AutoscalerDeps): StaticDocuments {
  if (config.dataConfigMap !== undefined) {
    const [namespace, name] = config.dataConfigMap.split("/") as [string, string];
    return configMapDocuments(deps.kube.configMaps, namespace, name);
  }
  return fileDocuments(config.dataPath!, deps.readFile);
}

export async function startAutoscaler(config: AutoscalerConfig, deps: AutoscalerDeps): Promise<RunningAutoscaler> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ component: "autoscaler" });
  const registry = deps.registry ?? createRegistry();
  const metrics = new AutoscalerMetrics(registry);
  const cycle = new AutoscalerCycle(
    {
      dynamic: config.dynamic,
      capacityFrom: config.capacityFrom,
      profile: config.profile,
      dryRun: config.dryRun,
      policy: { maxChange: config.maxChange, scaleToZeroClasses: config.scaleToZeroClasses, acceleratorNodeLabel: config.acceleratorNodeLabel },
    },
    { deployments: deps.kube.deployments, events: deps.kube.events, nodes: deps.kube.watches.nodes, ...(deps.load && { load: deps.load }), documents: staticDocuments(config, deps), clock, log, metrics },
  );
  await cycle.start();

  let last: CycleReport | undefined;
  let leading = !deps.leaderElection;
  const runCycle = async (): Promise<CycleReport> => {
    last = await cycle.run();
    return last;
  };

  const app = express();
  app.disable("x-powered-by");
  app.get("/invoke", async (_req, res) => {
    if (!leading) {
      res.status(404).json({ message: "controller: not the leader" });
      return;
    }
    try {
      await runCycle();
      res.status(200).json("OK");
    } catch (err) {
      log.error({ err, code: "AUTOSCALER_CYCLE" }, "autoscaler cycle failed");
      res.status(404).json({ message: `controller: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
  app.get("/healthz", (_req, res) => void res.type("text/plain").send("ok"));
  app.get("/metrics", async (_req, res) => void res.type(registry.contentType).send(await registry.metrics()));
  app.use((req, res) => void res.status(404).json({ message: `no route for ${req.method} ${req.path}` }));

  const stopping = new AbortController();
  /** Ticks every period until `signal` aborts. */
  const periodic = async (signal: AbortSignal): Promise<void> => {
    if (config.periodSeconds === 0) return;
    for (;;) {
      await unrefWait(config.periodSeconds * 1000, signal);
      if (signal.aborted) return;
      try {
        await runCycle();
      } catch (err) {
        log.error({ err, code: "AUTOSCALER_CYCLE" }, "autoscaler cycle failed");
      }
    }
  };

  let election: Promise<void> = Promise.resolve();
  if (deps.leaderElection) {
    const elector = new LeaderElector(deps.kube.leases, clock, log, {
      namespace: config.kube.leaseNamespace,
      name: AUTOSCALER_LEASE,
      identity: deps.identity ?? config.kube.identity ?? "gpu-steward-autoscaler",
    });
    election = elector.run({
      onStartedLeading: (leadership) => {
        leading = true;
        void periodic(AbortSignal.any([leadership, stopping.signal]));
      },
      onStoppedLeading: () => {
        leading = false;
      },
      signal: stopping.signal,
    });
  } else {
    void periodic(stopping.signal);
  }

  const http: Server = createServer(app);
  applyServerTimeouts(http);
  const { port } = await listen(http, config.port, config.bindAddress);
  log.info({ port, periodSeconds: config.periodSeconds, dryRun: config.dryRun }, "autoscaler listening");

  return {
    port,
    lastReport: () => last,
    async stop() {
      stopping.abort();
      await election;
      await closeServer(http);
    },
  };
}

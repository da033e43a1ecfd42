/**
 * The placement role of the controller: the extender (/filter, /prioritize) and its JSON API on the
 * extender port, over the cluster view and the learned model the composition root shares with the
 * webhook.
 */
import type { Database } from "better-sqlite3";
import type { Router } from "express";
import type { Registry } from "prom-client";
import type { ScoringModel } from "../core/scoring/index.js";
import { createExtenderApp } from "../extender/app.js";
import type { ExtenderConfig } from "../extender/config.js";
import { PlacementDecisions } from "../extender/decisions.js";
import { SqliteDecisionSink } from "../extender/decisionStore.js";
import { createExtenderHandler } from "../extender/handler.js";
import { ExtenderMetrics } from "../extender/metrics.js";
import { modelScorers, type SpendRouting } from "../extender/scorers.js";
import { cachedTopologyScorer } from "../extender/topologyScorer.js";
import { NodeResolver } from "../extender/nodeResolver.js";
import type { Clock } from "../platform/clock.js";
import { createPlainServer } from "../platform/http/plainServer.js";
import { createTlsServer } from "../platform/http/tlsServer.js";
import type { ClusterView } from "../platform/kube/clusterView.js";
import type { Logger } from "../platform/log.js";

export interface ExtenderRoleDeps {
  config: ExtenderConfig;
  view: ClusterView;
  model: ScoringModel;
  registry: Registry;
  clock: Clock;
  log: Logger;
  /** Routers served on the extender port besides /filter and /prioritize (the scoring API). */
  routers?: Router[];
  spendRouting?: () => SpendRouting | undefined;
  /** Keeps placement decisions across restarts; absent: in memory only. */
  db?: Database;
  /** With --extender-tls: the webhook's certificate files. */
  tls?: { certFile: string; keyFile: string };
}

export interface ExtenderRole {
  server: import("node:net").Server;
  decisions: PlacementDecisions;
  close(): Promise<void>;
}

export function createExtenderRole(deps: ExtenderRoleDeps): ExtenderRole {
  const { config, log } = deps;
  const sink = deps.db ? new SqliteDecisionSink(deps.db, log.child({ component: "placement-decisions" }), { maxRows: config.decisionsKept }) : undefined;
  const decisions = new PlacementDecisions({ maxPods: config.decisionsKept, maxNodes: 20, ...(sink && { sink }) });
  const scorers = modelScorers({ model: deps.model, topology: cachedTopologyScorer(), ...(deps.spendRouting && { spendRouting: deps.spendRouting }) });
  const handler = createExtenderHandler(
    {
      placement: { view: deps.view, scorers, weights: config.weights, resource: config.gpuResource, resolver: new NodeResolver(deps.view) },
      decisions,
      metrics: new ExtenderMetrics(deps.registry),
      clock: deps.clock,
      log: log.child({ component: "extender" }),
      maxBodyBytes: config.maxBodyBytes,
    },
    createExtenderApp({ decisions, ...(deps.routers && { routers: deps.routers }) }),
  );
  const served = deps.tls
    ? createTlsServer({ ...deps.tls, handler, log: log.child({ component: "extender-tls" }) })
    : createPlainServer({ handler, log: log.child({ component: "extender-http" }) });
  return {
    server: served.server,
    decisions,
    async close() {
      await served.close();
      sink?.close(); // writes what is queued
    },
  };
}

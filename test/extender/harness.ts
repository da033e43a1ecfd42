import { createServer, type Server } from "node:http";
import { pino } from "pino";
import { Registry } from "prom-client";
import { DEFAULT_WEIGHTS, type Weights } from "../../core/placement/index.js";
import { ScoringModel } from "../../core/scoring/index.js";
import { createExtenderApp } from "../../extender/app.js";
import { PlacementDecisions } from "../../extender/decisions.js";
import { createExtenderHandler } from "../../extender/handler.js";
import { ExtenderMetrics } from "../../extender/metrics.js";
import type { PlacementScorers } from "../../extender/placement.js";
import { modelScorers, type SpendRouting } from "../../extender/scorers.js";
import { NodeResolver } from "../../extender/nodeResolver.js";
import { ManualClock } from "../../platform/clock.js";
import { ClusterView, type NodeObject, type PodObject } from "../../platform/kube/clusterView.js";

export const aGpuNode = (name: string, gpus: number, labels: Record<string, string> = {}): NodeObject => ({
  metadata: { name, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", ...labels } },
  status: { allocatable: { cpu: "96", memory: "1Ti", "nvidia.com/gpu": String(gpus) } },
});

export const aGpuPod = (name: string, gpus: number, opts: { nodeName?: string; jobType?: string; uid?: string; products?: string[] } = {}): PodObject => ({
  metadata: { name, namespace: "team-a", uid: opts.uid ?? `uid-${name}`, ...(opts.jobType && { labels: { "gpu-steward.io/job-type": opts.jobType } }) },
  spec: {
    ...(opts.nodeName && { nodeName: opts.nodeName }),
    ...(opts.products?.length === 1 && { nodeSelector: { "nvidia.com/gpu.product": opts.products[0]! } }),
    containers: [{ resources: { limits: { "nvidia.com/gpu": String(gpus) } } }],
  },
  status: { phase: opts.nodeName ? "Running" : "Pending" },
});

export interface ExtenderHarness {
  server: Server;
  view: ClusterView;
  model: ScoringModel;
  registry: Registry;
  decisions: PlacementDecisions;
  clock: ManualClock;
  close(): Promise<void>;
}

export function anExtender(opts: { weights?: Weights; scorers?: Partial<PlacementScorers>; spend?: SpendRouting; maxBodyBytes?: number } = {}): ExtenderHarness {
  const view = new ClusterView();
  const model = new ScoringModel();
  const registry = new Registry();
  const clock = new ManualClock(1_700_000_000_000);
  const decisions = new PlacementDecisions({ maxPods: 100, maxNodes: 5 });
  const scorers = { ...modelScorers({ model, ...(opts.spend && { spendRouting: () => opts.spend }) }), ...opts.scorers };
  const handler = createExtenderHandler(
    {
      placement: { view, scorers, weights: opts.weights ?? DEFAULT_WEIGHTS, resolver: new NodeResolver(view) },
      decisions,
      metrics: new ExtenderMetrics(registry),
      clock,
      log: pino({ level: "silent" }),
      maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    },
    createExtenderApp({ decisions }),
  );
  const server = createServer(handler);
  return { server, view, model, registry, decisions, clock, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Builders for the autoscaler tests: manifests from fixtures, managed Deployments, a data directory. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ManualClock } from "../../platform/clock.js";
import { memoryAdapters, type MemoryKubePorts } from "../../platform/kube/memory.js";
import { DEPLOYMENTS } from "../../platform/kube/memoryDeployments.js";
import type { WireObject } from "../../platform/kube/memoryStore.js";
import { createLogger } from "../../platform/log.js";
import { AutoscalerMetrics } from "../../autoscaler/metrics.js";
import { Registry } from "prom-client";

export const FIXTURES = new URL("../fixtures/inference/", import.meta.url);
export const SMALL_DATA = new URL("sample-data/v0.7.0/small/", FIXTURES).pathname;
export const silentLog = createLogger({ level: "silent" });

export function fixtureText(relative: string): string {
  return readFileSync(new URL(relative, FIXTURES), "utf8");
}

export function manifest(relative: string): WireObject {
  return parse(fixtureText(relative)) as WireObject;
}

export function newCluster(startMs = Date.UTC(2026, 0, 5, 9)): { kube: MemoryKubePorts; clock: ManualClock } {
  const clock = new ManualClock(startMs);
  return { kube: memoryAdapters(silentLog, clock, { podName: "autoscaler-0" }), clock };
}

export function seed(kube: MemoryKubePorts, deployment: WireObject): void {
  const namespace = String((deployment["metadata"] as { namespace?: string }).namespace ?? "default");
  kube.store.create(DEPLOYMENTS, namespace, deployment);
}

/** A vLLM Deployment managed through the inferno labels (the compatible default). */
export function aVllmDeployment(opts: {
  namespace?: string;
  name: string;
  server: string;
  model: string;
  serviceClass: string;
  accelerator?: string;
  maxBatch?: string;
  replicas: number;
  extraLabels?: Record<string, string>;
  load?: { rpm: string; inTokens: string; outTokens: string };
  nodeSelector?: Record<string, string>;
}): WireObject {
  const labels: Record<string, string> = {
    "inferno.server.managed": "true",
    "inferno.server.name": opts.server,
    "inferno.server.model": opts.model,
    "inferno.server.class": opts.serviceClass,
    ...(opts.accelerator !== undefined && { "inferno.server.allocation.accelerator": opts.accelerator }),
    ...(opts.maxBatch !== undefined && { "inferno.server.allocation.maxbatchsize": opts.maxBatch }),
    ...(opts.load && { "inferno.server.load.rpm": opts.load.rpm, "inferno.server.load.intokens": opts.load.inTokens, "inferno.server.load.outtokens": opts.load.outTokens }),
    ...opts.extraLabels,
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: opts.name, namespace: opts.namespace ?? "infer", labels },
    spec: {
      replicas: opts.replicas,
      selector: { matchLabels: { app: opts.name } },
      template: {
        metadata: { labels: { app: opts.name } },
        spec: { ...(opts.nodeSelector && { nodeSelector: opts.nodeSelector }), containers: [{ name: "vllm", image: "vllm/vllm-openai:v0.8.5", args: ["--model", opts.model] }] },
      },
    },
  };
}

export function deploymentOf(kube: MemoryKubePorts, namespace: string, name: string): { replicas: number; labels: Record<string, string>; nodeSelector: Record<string, string> | undefined } {
  const d = kube.store.get(DEPLOYMENTS, namespace, name) as { metadata: { labels: Record<string, string> }; spec: { replicas: number; template: { spec: { nodeSelector?: Record<string, string> } } } };
  return { replicas: d.spec.replicas, labels: d.metadata.labels, nodeSelector: d.spec.template.spec.nodeSelector };
}

export function freshMetrics(): AutoscalerMetrics {
  return new AutoscalerMetrics(new Registry());
}

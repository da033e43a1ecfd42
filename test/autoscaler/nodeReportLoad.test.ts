/** Autoscaler load from the node agents' NodeReports, read through the NodeReports port. */
import { describe, expect, it } from "vitest";
import { deploymentOfPod, FirstMeasured, NodeReportLoadSource, type LoadSource } from "../../autoscaler/index.js";
import { ManualClock } from "../../platform/clock.js";
import { memoryAdapters } from "../../platform/kube/memory.js";
import { kubeAdapters } from "../../platform/kube/client.js";
import { startFakeApiServer } from "../platform/kube/fakeApiServer.js";
import { createLogger } from "../../platform/log.js";
import { aNodeReport, aNodeReportStatus, replica } from "../builders/nodeReports.js";
import type { ReplicaReport } from "../../core/nodeReport/index.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const silent = createLogger({ level: "silent" });

function reportOn(node: string, replicas: ReplicaReport[], heartbeatMs = NOW - 10_000) {
  const status = aNodeReportStatus({ replicas, agent: { version: "0.1.0", dryRun: false, heartbeat: new Date(heartbeatMs).toISOString(), pollIntervalSeconds: 10, problems: [] } });
  const r = aNodeReport(status);
  (r["metadata"] as { name: string }).name = node;
  (r["spec"] as { nodeName: string }).nodeName = node;
  return r;
}

async function source(reports: Record<string, unknown>[]) {
  const ports = memoryAdapters(silent, new ManualClock(NOW), { podName: "x" });
  for (const r of reports) {
    const { metadata, spec, status } = r as { metadata: { name: string }; spec: { nodeName: string }; status: never };
    await ports.nodeReports.apply(metadata.name, "2b7c1e0a-0000-4000-8000-000000000001", { spec, status });
  }
  return new NodeReportLoadSource(ports.nodeReports, silent);
}

const pod = (deployment: string, n: number, over: Partial<ReplicaReport>) => replica(`${deployment}-5d9f7c6b8-${"abcde".slice(0, 4)}${n}`, n, { namespace: "serving", ...over });

describe("load from NodeReports", () => {
  it("maps pod names to their Deployment", () => {
    expect(deploymentOfPod("llama-8b-5d9f7c6b8-x2k4p")).toBe("llama-8b");
    expect(deploymentOfPod("standalone")).toBeUndefined();
  });

  it("sums arrivals over a Deployment's pods on every node, and weights tokens and latencies by completions", async () => {
    const s = await source([
      reportOn("gpu-1", [pod("llama-8b", 1, { arrivalRate: 3, requestRate: 2, avgInputTokens: 1000, avgOutputTokens: 200, ttftMeanMs: 100, itlMeanMs: 10 })]),
      reportOn("gpu-2", [pod("llama-8b", 2, { arrivalRate: 1, requestRate: 1, avgInputTokens: 400, avgOutputTokens: 100, ttftMeanMs: 400, itlMeanMs: 40 }), pod("other", 3, {})]),
    ]);
    const m = await s.measure([{ namespace: "serving", name: "llama-8b" }], NOW);
    expect([...m.keys()]).toEqual(["serving/llama-8b"]);
    const got = m.get("serving/llama-8b")!;
    expect(got.origin).toBe("nodereport");
    expect(got.load).toEqual({ arrivalRate: 240, avgInTokens: 800, avgOutTokens: 166 });
    expect(got.ttftMs).toBeCloseTo(200, 9);
    expect(got.itlMs).toBeCloseTo(20, 9);
  });

  it("skips stale reports (the agent stopped) and pods without a rate; falls back to completions without arrivals", async () => {
    const s = await source([
      reportOn("gpu-1", [pod("llama-8b", 1, { arrivalRate: 5 })], NOW - 10 * 60_000),
      reportOn("gpu-2", [pod("llama-8b", 2, { arrivalRate: null, requestRate: null }), pod("qwen", 3, { arrivalRate: null, requestRate: 0.5 })]),
    ]);
    const m = await s.measure([{ namespace: "serving", name: "llama-8b" }, { namespace: "serving", name: "qwen" }], NOW);
    expect(m.has("serving/llama-8b")).toBe(false);
    expect(m.get("serving/qwen")?.load.arrivalRate).toBe(30);
  });

  it("FirstMeasured asks the next source only for what the first did not measure", async () => {
    const first = await source([reportOn("gpu-1", [pod("llama-8b", 1, { arrivalRate: 1 })])]);
    const asked: string[][] = [];
    const second: LoadSource = {
      async measure(ds) {
        asked.push(ds.map((d) => d.name));
        return new Map(ds.map((d) => [`${d.namespace}/${d.name}`, { origin: "prometheus" as const, load: { arrivalRate: 7, avgInTokens: 1, avgOutTokens: 1 } }]));
      },
    };
    const m = await new FirstMeasured([first, second]).measure([{ namespace: "serving", name: "llama-8b" }, { namespace: "serving", name: "qwen" }], NOW);
    expect(asked).toEqual([["qwen"]]);
    expect(m.get("serving/llama-8b")?.origin).toBe("nodereport");
    expect(m.get("serving/qwen")?.origin).toBe("prometheus");
  });

  it("reads the reports through client-node from an API server (the fake one, over HTTP)", async () => {
    const server = await startFakeApiServer(new ManualClock(NOW));
    try {
      const ports = kubeAdapters(server.kubeConfig(), silent, new ManualClock(NOW), { podName: "autoscaler-0" });
      const r = reportOn("gpu-9", [pod("llama-8b", 1, { arrivalRate: 2, requestRate: 2, avgInputTokens: 300, avgOutputTokens: 120 })]);
      const { spec, status } = r as { spec: { nodeName: string }; status: never };
      await ports.nodeReports.apply("gpu-9", "2b7c1e0a-0000-4000-8000-000000000009", { spec: { ...spec, nodeName: "gpu-9" }, status });
      const m = await new NodeReportLoadSource(ports.nodeReports, silent).measure([{ namespace: "serving", name: "llama-8b" }], NOW);
      expect(m.get("serving/llama-8b")?.load).toEqual({ arrivalRate: 120, avgInTokens: 300, avgOutTokens: 120 });
      expect(server.requests.some((q) => q.method === "GET" && q.path === "/apis/gpu-steward.io/v1alpha1/nodereports")).toBe(true);
      expect(server.violations).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("a NodeReports list that fails leaves the Deployments to the next source", async () => {
    const failing = new NodeReportLoadSource({ list: () => Promise.reject(new Error("nodereports.gpu-steward.io is forbidden")) }, silent);
    expect((await failing.measure([{ namespace: "serving", name: "llama-8b" }], NOW)).size).toBe(0);
  });
});

/**
 * End to end: an in-memory cluster with two vLLM Deployments, a fake Prometheus over HTTP, the
 * sample data's static files; `GET /invoke` runs a cycle and the Deployments end up as the optimizer
 * planned for the measured load.
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { AutoscalerConfig } from "../../autoscaler/config.js";
import { startAutoscaler, type RunningAutoscaler } from "../../autoscaler/controller.js";
import { PrometheusLoadSource } from "../../autoscaler/loadSource.js";
import { buildSystem, readDocuments, STATIC_DOCUMENTS, CAPACITY_DOCUMENT } from "../../autoscaler/staticData.js";
import { vllmQueries } from "../../autoscaler/vllmQueries.js";
import { optimize } from "../../core/inference/index.js";
import { PrometheusInstantQuery } from "../../platform/prometheus/instantQuery.js";
import { aVllmDeployment, deploymentOf, newCluster, seed, silentLog, SMALL_DATA } from "./inferenceCluster.js";

/** Per Deployment (namespace infer): arrival rpm, prompt and generation tokens per request. */
const MEASURED = {
  "premium-llama": { rpm: 120, inTokens: 256, outTokens: 512 },
  "free-granite": { rpm: 30, inTokens: 128, outTokens: 1024 },
};

async function fakePrometheus(): Promise<{ url: string; queries: string[]; close(): Promise<void> }> {
  const q = vllmQueries("1m", "pod");
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const query = url.searchParams.get("query") ?? "";
    queries.push(query);
    const pick = (m: (typeof MEASURED)[keyof typeof MEASURED]): number | undefined =>
      query === q.arrivalRpm ? m.rpm : query === q.inTokens ? m.inTokens : query === q.outTokens ? m.outTokens : undefined;
    const result = Object.entries(MEASURED).flatMap(([deployment, m]) => {
      const v = pick(m);
      return v === undefined ? [] : [{ metric: { namespace: "infer", deployment }, value: [1, String(v)] }];
    });
    res.writeHead(url.pathname === "/api/v1/query" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const config = (over: Record<string, unknown> = {}) =>
  AutoscalerConfig.parse({ port: 0, bindAddress: "127.0.0.1", periodSeconds: 0, dataPath: SMALL_DATA, capacityFrom: "file", log: { level: "silent" }, ...over });

describe("autoscaler controller", () => {
  let running: RunningAutoscaler | undefined;
  let prometheus: Awaited<ReturnType<typeof fakePrometheus>> | undefined;
  afterEach(async () => {
    await running?.stop();
    await prometheus?.close();
    running = undefined;
    prometheus = undefined;
  });

  it("GET /invoke → 200 OK, and the Deployments change as the optimizer planned", async () => {
    prometheus = await fakePrometheus();
    const { kube, clock } = newCluster();
    seed(kube, aVllmDeployment({ name: "premium-llama", server: "Premium-llama_13b", model: "llama_13b", serviceClass: "Premium", accelerator: "L4", maxBatch: "8", replicas: 1, load: { rpm: "6", inTokens: "10", outTokens: "10" } }));
    seed(kube, aVllmDeployment({ name: "free-granite", server: "Free-granite_13b", model: "granite_13b", serviceClass: "Free", replicas: 1 }));
    const load = new PrometheusLoadSource(new PrometheusInstantQuery({ baseUrl: prometheus.url, timeoutMs: 2000 }), "pod", "1m", silentLog);
    running = await startAutoscaler(config(), { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), load, leaderElection: false });

    const res = await request(`http://127.0.0.1:${running.port}`).get("/invoke");
    expect(res.status).toBe(200);
    expect(res.body).toBe("OK");
    expect(prometheus.queries).toHaveLength(5);

    // The plan the optimizer makes for the same data and the measured load, computed independently.
    const texts = await readDocuments(SMALL_DATA, (p) => readFile(p, "utf8"), [...STATIC_DOCUMENTS, CAPACITY_DOCUMENT]);
    const doc = (name: string, serviceClass: string, model: string, accelerator: string, maxBatch: number, m: (typeof MEASURED)[keyof typeof MEASURED]) => ({
      name, class: serviceClass, model,
      currentAlloc: { accelerator, numReplicas: 1, maxBatch, cost: 0, itlAverage: 0, ttftAverage: 0, load: { arrivalRate: m.rpm, avgInTokens: m.inTokens, avgOutTokens: m.outTokens } },
    });
    const expected = optimize(
      buildSystem(texts, [doc("Free-granite_13b", "Free", "granite_13b", "", 0, MEASURED["free-granite"]), doc("Premium-llama_13b", "Premium", "llama_13b", "L4", 8, MEASURED["premium-llama"])], undefined),
    );
    for (const [deployment, server] of [["premium-llama", "Premium-llama_13b"], ["free-granite", "Free-granite_13b"]] as const) {
      const want = expected.allocations[server];
      expect(want, server).toBeDefined();
      const got = deploymentOf(kube, "infer", deployment);
      expect(got.replicas).toBe(want!.numReplicas);
      expect(got.labels["inferno.server.allocation.accelerator"]).toBe(want!.accelerator);
      expect(got.labels["inferno.server.allocation.maxbatchsize"]).toBe(String(want!.maxBatch));
    }
    expect(running.lastReport()?.plan.allocations).toEqual(expected.allocations);
    // The plan moves both servers away from one replica each, so the test sees real writes.
    expect(Object.values(expected.allocations).map((a) => a.numReplicas).some((n) => n !== 1)).toBe(true);

    const metrics = await request(`http://127.0.0.1:${running.port}`).get("/metrics");
    expect(metrics.text).toContain('gpu_steward_autoscaler_cycles_total{result="ok"} 1');
    expect(metrics.text).toContain('gpu_steward_autoscaler_server_replicas{server="Premium-llama_13b",kind="planned"}');
    expect(metrics.text).toContain('gpu_steward_autoscaler_cycle_phase_duration_seconds_count{phase="optimize"} 1');
    expect((await request(`http://127.0.0.1:${running.port}`).get("/healthz")).text).toBe("ok");
  });

  it("GET /invoke → 404 `controller: collector returned empty data` on a cluster without managed Deployments", async () => {
    const { kube, clock } = newCluster();
    running = await startAutoscaler(config(), { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), leaderElection: false });
    const res = await request(`http://127.0.0.1:${running.port}`).get("/invoke");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "controller: collector returned empty data" });
  });

  it("dry run: /invoke answers OK and the Deployments stay as they were", async () => {
    const { kube, clock } = newCluster();
    seed(kube, aVllmDeployment({ name: "premium-llama", server: "Premium-llama_13b", model: "llama_13b", serviceClass: "Premium", accelerator: "L4", replicas: 1, load: { rpm: "240", inTokens: "256", outTokens: "512" } }));
    running = await startAutoscaler(config({ dryRun: true }), { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), leaderElection: false });
    expect((await request(`http://127.0.0.1:${running.port}`).get("/invoke")).status).toBe(200);
    expect(running.lastReport()?.actuations.map((a) => a.result)).toEqual(["dry-run"]);
    expect(deploymentOf(kube, "infer", "premium-llama").replicas).toBe(1);
  });

  it("reads the static documents from a ConfigMap's keys, re-read each cycle with --dynamic", async () => {
    const { kube, clock } = newCluster();
    const data: Record<string, string> = {};
    for (const name of ["accelerator-data.json", "model-data.json", "serviceclass-data.json", "optimizer-data.json", "capacity-data.json"]) data[name] = await readFile(`${SMALL_DATA}${name}`, "utf8");
    kube.store.create({ group: "", version: "v1", plural: "configmaps" }, "infer", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "inferno-static-data" }, data });
    seed(kube, aVllmDeployment({ name: "premium-llama", server: "Premium-llama_13b", model: "llama_13b", serviceClass: "Premium", accelerator: "L4", replicas: 1, load: { rpm: "240", inTokens: "256", outTokens: "512" } }));
    const withConfigMap = AutoscalerConfig.parse({ port: 0, bindAddress: "127.0.0.1", periodSeconds: 0, dataConfigMap: "infer/inferno-static-data", dynamic: true, capacityFrom: "file", log: { level: "silent" }, loadFromNodeReports: false });
    running = await startAutoscaler(withConfigMap, { kube, log: silentLog, clock, readFile: () => Promise.reject(new Error("no files here")), leaderElection: false });
    expect((await request(`http://127.0.0.1:${running.port}`).get("/invoke")).status).toBe(200);
    expect(running.lastReport()?.plan.error ?? "").toBe("");
    // An edit that breaks a document is seen at the next cycle (--dynamic) and named.
    await kube.configMaps.apply("infer", "inferno-static-data", { ...data, "model-data.json": "{not json" });
    const res = await request(`http://127.0.0.1:${running.port}`).get("/invoke");
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/^controller: .*model-data\.json/);
  });

  it("needs exactly one of --data-path and --data-configmap, and names a missing key", async () => {
    expect(() => AutoscalerConfig.parse({})).toThrow(/--data-path .* or --data-configmap/);
    expect(() => AutoscalerConfig.parse({ dataPath: "/d", dataConfigMap: "a/b" })).toThrow(/one of them/);
    const { kube, clock } = newCluster();
    kube.store.create({ group: "", version: "v1", plural: "configmaps" }, "infer", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "partial" }, data: { "accelerator-data.json": "{}" } });
    await expect(
      startAutoscaler(AutoscalerConfig.parse({ port: 0, dataConfigMap: "infer/partial", log: { level: "silent" } }), { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), leaderElection: false }),
    ).rejects.toThrow("configmap infer/partial: no key model-data.json");
  });

  it("refuses to start when the static data is missing, naming the file", async () => {
    const { kube, clock } = newCluster();
    await expect(startAutoscaler(config({ dataPath: "/nonexistent" }), { kube, log: silentLog, clock, readFile: (p) => readFile(p, "utf8"), leaderElection: false })).rejects.toThrow(
      /\/nonexistent\/accelerator-data.json: no such file/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { collect } from "../../autoscaler/collector.js";
import { PrometheusLoadSource } from "../../autoscaler/loadSource.js";
import { vllmQueries } from "../../autoscaler/vllmQueries.js";
import { PrometheusInstantQuery } from "../../platform/prometheus/instantQuery.js";
import { aVllmDeployment, fixtureText, manifest, newCluster, seed, silentLog } from "./inferenceCluster.js";

const NOW_MS = Date.UTC(2026, 0, 5, 9);

describe("collector mapping of the control-loop manifests (spec §7.7)", () => {
  it.each([
    { manifests: "control-loop/classic-931c93e/yamls/workload", expected: "cases/cl-classic/server-data.json" },
    { manifests: "control-loop/head-5451d7f/manifests/samples", expected: "cases/cl-samples/server-data.json" },
  ])("$manifests/dep1..4.yaml → $expected (Prometheus unavailable)", async ({ manifests, expected }) => {
    const { kube } = newCluster();
    for (const n of [1, 2, 3, 4]) seed(kube, manifest(`${manifests}/dep${n}.yaml`));
    const servers = await collect(kube.deployments, undefined, NOW_MS, silentLog);
    const want = (JSON.parse(fixtureText(expected)) as { servers: Array<{ name: string }> }).servers;
    expect(servers.map((s) => s.document).sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(want);
    expect(servers.every((s) => s.loadOrigin === "labels" && s.families.includes("inferno"))).toBe(true);
  });
});

describe("collector label families and skips", () => {
  it("reads gpu-steward.io labels, ours winning over inferno's, and the min-replicas floor", async () => {
    const { kube } = newCluster();
    seed(
      kube,
      aVllmDeployment({
        name: "llama",
        server: "inferno-name",
        model: "llama_13b",
        serviceClass: "Bronze",
        replicas: 2,
        extraLabels: { "gpu-steward.io/inference-managed": "true", "gpu-steward.io/service-class": "Premium", "gpu-steward.io/min-replicas": "3", "gpu-steward.io/load-rpm": "12.5" },
      }),
    );
    const [server] = await collect(kube.deployments, undefined, NOW_MS, silentLog);
    expect(server?.families).toEqual(["steward", "inferno"]);
    expect(server?.document).toMatchObject({ name: "inferno-name", class: "Premium", minNumReplicas: 3, currentAlloc: { numReplicas: 2, load: { arrivalRate: 12.5 } } });
  });

  it("skips managed Deployments without a server name and unmanaged ones", async () => {
    const { kube } = newCluster();
    seed(kube, aVllmDeployment({ name: "a", server: "", model: "m", serviceClass: "Free", replicas: 1 }));
    seed(kube, aVllmDeployment({ name: "b", server: "b", model: "m", serviceClass: "Free", replicas: 1, extraLabels: { "inferno.server.managed": "false" } }));
    expect(await collect(kube.deployments, undefined, NOW_MS, silentLog)).toEqual([]);
  });
});

/** A fetch that answers each vLLM query from a table of per-series values. */
function fakePrometheus(values: Partial<Record<keyof ReturnType<typeof vllmQueries>, Array<{ labels: Record<string, string>; value: string }>>>, failing: string[] = []) {
  const queries = vllmQueries("1m", "pod");
  const seen: string[] = [];
  const fetchFn = (async (input: string | URL | Request) => {
    const url = new URL(String(input));
    const query = url.searchParams.get("query") ?? "";
    seen.push(query);
    const quantity = (Object.keys(queries) as Array<keyof typeof queries>).find((q) => queries[q] === query);
    if (quantity === undefined || failing.includes(quantity)) {
      return new Response(JSON.stringify({ status: "error", errorType: "execution", error: "boom" }), { status: 422 });
    }
    const result = (values[quantity] ?? []).map((v) => ({ metric: v.labels, value: [NOW_MS / 1000, v.value] }));
    return new Response(JSON.stringify({ status: "success", data: { resultType: "vector", result } }), { status: 200 });
  }) as typeof fetch;
  return { fetchFn, seen };
}

describe("collector load from Prometheus", () => {
  const series = { namespace: "infer", deployment: "llama" };

  it("uses the measured load where Prometheus has it, the load labels elsewhere", async () => {
    const { kube } = newCluster();
    seed(kube, aVllmDeployment({ name: "llama", server: "llama", model: "llama_13b", serviceClass: "Premium", replicas: 2, load: { rpm: "30", inTokens: "100", outTokens: "200" } }));
    seed(kube, aVllmDeployment({ name: "granite", server: "granite", model: "granite_13b", serviceClass: "Free", replicas: 1, load: { rpm: "7", inTokens: "64", outTokens: "128" } }));
    const { fetchFn, seen } = fakePrometheus({
      arrivalRpm: [{ labels: series, value: "90.5" }],
      inTokens: [{ labels: series, value: "512.9" }],
      outTokens: [{ labels: series, value: "NaN" }],
      ttftMs: [{ labels: series, value: "180" }],
      itlMs: [{ labels: series, value: "21" }],
    });
    const load = new PrometheusLoadSource(new PrometheusInstantQuery({ baseUrl: "http://prometheus:9090", timeoutMs: 1000, fetch: fetchFn }), "pod", "1m", silentLog);
    const servers = await collect(kube.deployments, load, NOW_MS, silentLog);
    const byName = Object.fromEntries(servers.map((s) => [s.document.name, s]));
    expect(byName["llama"]?.document.currentAlloc.load).toEqual({ arrivalRate: 90.5, avgInTokens: 512, avgOutTokens: 0 });
    expect(byName["llama"]?.loadOrigin).toBe("prometheus");
    expect(byName["llama"]?.observed).toEqual({ ttftMs: 180, itlMs: 21 });
    expect(byName["granite"]?.document.currentAlloc.load).toEqual({ arrivalRate: 7, avgInTokens: 64, avgOutTokens: 128 });
    expect(byName["granite"]?.loadOrigin).toBe("labels");
    expect(seen).toHaveLength(5);
    expect(seen.every((q) => q.includes("[1m]"))).toBe(true);
  });

  it("falls back to the load labels when the arrival query fails", async () => {
    const { kube } = newCluster();
    seed(kube, aVllmDeployment({ name: "llama", server: "llama", model: "llama_13b", serviceClass: "Premium", replicas: 2, load: { rpm: "30", inTokens: "100", outTokens: "200" } }));
    const { fetchFn } = fakePrometheus({ inTokens: [{ labels: series, value: "512" }] }, ["arrivalRpm"]);
    const load = new PrometheusLoadSource(new PrometheusInstantQuery({ baseUrl: "http://prometheus:9090", timeoutMs: 1000, fetch: fetchFn }), "pod", "1m", silentLog);
    const [server] = await collect(kube.deployments, load, NOW_MS, silentLog);
    expect(server?.loadOrigin).toBe("labels");
    expect(server?.document.currentAlloc.load).toEqual({ arrivalRate: 30, avgInTokens: 100, avgOutTokens: 200 });
  });

  it("asks for arrivals as completions plus the growth of requests in the server", () => {
    const q = vllmQueries("2m", "pod");
    expect(q.arrivalRpm).toContain("rate(vllm:request_success_total[2m])");
    expect(q.arrivalRpm).toContain("delta(vllm:num_requests_running[2m]) + delta(vllm:num_requests_waiting[2m])");
    expect(q.arrivalRpm).toContain("/ 120");
    expect(vllmQueries("1m", "job").arrivalRpm).toContain("sum by (job)");
  });
});

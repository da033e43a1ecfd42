import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HttpMetricsClient, readAgentPod, TenantScraper, type AgentPod, type MetricsClient } from "../../../nodeagent/tenants/index.js";
import { VllmExposition } from "../../builders/vllmExposition.js";

function agentPod(uid: string, ip: string | undefined, annotations: Record<string, string>): AgentPod {
  const r = readAgentPod({ metadata: { uid, name: `pod-${uid.slice(0, 4)}`, namespace: "serving", annotations }, status: { phase: "Running", ...(ip && { podIP: ip }) } });
  if (!r.ok) throw new Error(r.problem);
  return r.pod;
}

/** Serves each pod IP's exposition from memory; a missing IP fails like a refused connection. */
class MemoryMetrics implements MetricsClient {
  readonly servers = new Map<string, VllmExposition>();
  readonly urls: string[] = [];
  async get(url: string): Promise<string> {
    this.urls.push(url);
    const host = new URL(url).hostname;
    const server = this.servers.get(host);
    if (server === undefined) throw new Error(`GET ${url}: connect ECONNREFUSED`);
    return server.text();
  }
}

const T0 = 1_750_000_000_000;
const TENANT = "70e3e272-514d-4610-b9f2-09b476631f1e";
const BATCH = "0b5c6d2e-8f1a-4c3b-9d7e-112233445566";

describe("tenant scraper", () => {
  it("gives the p99 of the window between two scrapes, ms, as histogram_quantile would", async () => {
    const metrics = new MemoryMetrics();
    const vllm = new VllmExposition();
    metrics.servers.set("10.0.0.5", vllm);
    vllm.serveMany(1000, 0.2); // history before the window: fast
    const scraper = new TenantScraper(metrics, { timeoutMs: 500, minSamples: 5, concurrency: 4 });
    const pods = [agentPod(TENANT, "10.0.0.5", { "gpu-steward.io/p99-slo-ms": "800" })];
    const first = (await scraper.scrape(pods, T0)).get(TENANT);
    expect(first).toMatchObject({ p99Ms: undefined, noLatency: "first-scrape", load: { running: 0, requestRate: null } });
    // In the window: 90 fast requests and 10 at 1.2 s. rank 99 of 100 falls in (1, 1.5]: 1 + 0.5·(99−90)/10.
    vllm.serveMany(90, 0.2);
    vllm.serveMany(10, 1.2);
    const second = (await scraper.scrape(pods, T0 + 10_000)).get(TENANT)!;
    expect(second.p99Ms).toBeCloseTo(1450, 6);
    expect(second.samples).toBe(100);
    expect(second.load).toMatchObject({ requestRate: 10, avgInputTokens: 500, avgOutputTokens: 100, windowS: 10 });
    expect(metrics.urls).toEqual(["http://10.0.0.5:8000/metrics", "http://10.0.0.5:8000/metrics"]);
  });

  it("has no latency (never a healthy one) when the scrape fails, the window is thin, or the pod is not a tenant", async () => {
    const metrics = new MemoryMetrics();
    const vllm = new VllmExposition();
    metrics.servers.set("10.0.0.5", vllm);
    metrics.servers.set("10.0.0.6", new VllmExposition());
    const scraper = new TenantScraper(metrics, { timeoutMs: 500, minSamples: 5, concurrency: 2 });
    const pods = [
      agentPod(TENANT, "10.0.0.5", { "gpu-steward.io/p99-slo-ms": "800" }),
      agentPod(BATCH, "10.0.0.6", { "gpu-steward.io/metrics-port": "8000" }),
      agentPod("c0ffee00-1234-4abc-8def-0123456789ab", "10.0.0.9", { "gpu-steward.io/p99-slo-ms": "800" }),
      agentPod("d0ffee00-1234-4abc-8def-0123456789ab", undefined, { "gpu-steward.io/p99-slo-ms": "800" }),
    ];
    await scraper.scrape(pods, T0);
    vllm.serveMany(3, 5);
    const r = await scraper.scrape(pods, T0 + 10_000);
    expect(r.get(TENANT)).toMatchObject({ p99Ms: undefined, noLatency: "too-few-requests", samples: 3 });
    expect(r.get(BATCH)).toMatchObject({ p99Ms: undefined, noLatency: "not-a-tenant", load: { requestRate: 0 } });
    expect(r.get("c0ffee00-1234-4abc-8def-0123456789ab")).toMatchObject({ noLatency: "scrape-failed", error: "GET http://10.0.0.9:8000/metrics: connect ECONNREFUSED" });
    expect(r.get("d0ffee00-1234-4abc-8def-0123456789ab")).toMatchObject({ noLatency: "scrape-failed", error: "the pod has no IP yet" });
  });

  it("reads over HTTP with a deadline, and names the URL when the server answers badly", async () => {
    const vllm = new VllmExposition();
    vllm.serveMany(10, 0.4);
    const server = createServer((req, res) => {
      if (req.url === "/metrics") return void res.end(vllm.text());
      if (req.url === "/slow") return void setTimeout(() => res.end("late"), 2_000).unref();
      res.statusCode = 404;
      res.end("no");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const client = new HttpMetricsClient();
      expect(await client.get(`http://127.0.0.1:${port}/metrics`, 1_000)).toContain("vllm:e2e_request_latency_seconds_bucket");
      await expect(client.get(`http://127.0.0.1:${port}/nope`, 1_000)).rejects.toThrow(`GET http://127.0.0.1:${port}/nope: HTTP 404`);
      await expect(client.get(`http://127.0.0.1:${port}/slow`, 100)).rejects.toThrow(`GET http://127.0.0.1:${port}/slow: no answer within 100 ms`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

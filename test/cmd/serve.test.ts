import { request as httpsRequest } from "node:https";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServeConfig, startServe, type RunningServer } from "../../cmd/serve.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";

let server: RunningServer;
let ca: string;
const stateDir = mkdtempSync(join(tmpdir(), "steward-serve-"));

beforeAll(async () => {
  const config = loadServeConfig({ flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": stateDir, "bind-address": "127.0.0.1" }, env: {} });
  server = await startServe(config, { log: pino({ level: "silent" }) });
  ca = readFileSync(join(stateDir, "tls", "ca.crt"), "utf8");
});
afterAll(async () => server?.stop());

function https(path: string, body?: string): Promise<{ status: number; text: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: "127.0.0.1", servername: "localhost", port: server.webhookPort, path, method: body ? "POST" : "GET", ca, headers: { "content-type": "application/json" } },
      (res) => {
        const protocol = (res.socket as import("node:tls").TLSSocket).getProtocol() ?? "";
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString(), protocol }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("steward controller, standalone", () => {
  it("generates a self-signed certificate in the state dir and serves /mutate over TLS ≥ 1.2 with it", async () => {
    const res = await https("/mutate?timeout=5s", JSON.stringify(anAdmissionReview(loadJob("jobs/llama-7b-lora_pytorchjob.yaml"))));
    expect(res.status).toBe(200);
    expect(["TLSv1.2", "TLSv1.3"]).toContain(res.protocol);
    expect(JSON.parse(res.text).response).toMatchObject({ allowed: true, patchType: "JSONPatch" });
    expect(server.caBundle).toBe(Buffer.from(ca).toString("base64"));
  });

  it("serves /healthz, /readyz and prefixed /metrics on the metrics port", async () => {
    const base = `http://127.0.0.1:${server.metricsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).text()).toBe("ok");
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("gpu_steward_webhook_reviews_total");
    expect(metrics).toContain("gpu_steward_process_cpu_seconds_total");
  });

  it("serves the scheduler extender on its own port, from the same process", async () => {
    const base = `http://127.0.0.1:${server.extenderPort}`;
    const pod = { metadata: { name: "p", namespace: "team-a" }, spec: { containers: [{ resources: { limits: { "nvidia.com/gpu": "1" } } }] } };
    const res = await fetch(`${base}/filter`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ Pod: pod, NodeNames: ["gpu-1"] }) });
    expect(res.status).toBe(200);
    // Standalone: the cluster view knows no nodes, so names cannot be resolved.
    expect(await res.json()).toMatchObject({ NodeNames: [], FailedAndUnresolvableNodes: { "gpu-1": "gpu-steward: node not in the cluster view" } });
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(metrics).toContain('gpu_steward_extender_requests_total{verb="filter",result="ok"} 1');
  });

  it("serves the scoring API on the extender port; the webhook and extender share its model", async () => {
    const base = `http://127.0.0.1:${server.extenderPort}`;
    const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const observed = await post("/v1/observe", { job_type: "llama-7b-lora", gpu_type: "NVIDIA-A100-SXM4-80GB", measured_runtime_s: 1200 });
    expect(observed.status).toBe(200);
    expect(await observed.json()).toMatchObject({ status: "ok" });
    const scored = await post("/v1/score", { job_type: "llama-7b-lora", candidate_gpu_types: ["NVIDIA-A100-SXM4-80GB", "NVIDIA-L40S"] });
    expect(scored.status).toBe(200);
    const bad = await post("/v1/score", { job_type: "x", candidate_gpu_types: [] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/candidate_gpu_types/);
  });

  it("keeps the store in the state dir in WAL mode", () => {
    expect(readFileSync(join(stateDir, "steward.db")).subarray(0, 15).toString()).toBe("SQLite format 3");
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServeConfig, startServe, type RunningServer } from "../../cmd/serve.js";
import { systemClock } from "../../platform/clock.js";
import { memoryAdapters, type MemoryKubePorts } from "../../platform/kube/memory.js";
import { NODES, PODS } from "../../platform/kube/memoryWatch.js";

let server: RunningServer;
let kube: MemoryKubePorts;
const log = pino({ level: "silent" });

const aNode = (name: string, gpus: number, product: string) => ({
  metadata: { name, labels: { "nvidia.com/gpu.product": product } },
  status: { allocatable: { cpu: "96", "nvidia.com/gpu": String(gpus) } },
});
const aPod = (name: string, nodeName: string, gpus: number) => ({
  metadata: { name, namespace: "team-a", uid: `uid-${name}` },
  spec: { nodeName, containers: [{ name: "c", resources: { limits: { "nvidia.com/gpu": String(gpus) } } }] },
  status: { phase: "Running" },
});

beforeAll(async () => {
  kube = memoryAdapters(log, systemClock, { podName: "controller-0" });
  kube.store.create(NODES, "", aNode("h100-a", 8, "NVIDIA-H100-80GB-HBM3"));
  kube.store.create(NODES, "", aNode("a100-a", 8, "NVIDIA-A100-SXM4-80GB"));
  kube.store.create(PODS, "team-a", aPod("busy", "h100-a", 7));
  const config = loadServeConfig({
    flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": mkdtempSync(join(tmpdir(), "steward-place-")), "bind-address": "127.0.0.1", identity: "controller-0" },
    env: {},
  });
  server = await startServe(config, { log, kube });
});
afterAll(async () => server?.stop());

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 100 && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}

describe("steward controller, cluster mode: the extender reads the cluster", () => {
  it("is ready once nodes and pods are listed", async () => {
    const ready = await until(async () => (await fetch(`http://127.0.0.1:${server.metricsPort}/readyz`)).status, (s) => s === 200);
    expect(ready).toBe(200);
  });

  it("filters by the GPUs pods already hold, and follows changes", async () => {
    const filter = async () => {
      const pod = { metadata: { name: "p", namespace: "team-a", uid: "u-p" }, spec: { containers: [{ resources: { limits: { "nvidia.com/gpu": "2" } } }] } };
      const res = await fetch(`http://127.0.0.1:${server.extenderPort}/filter`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ Pod: pod, NodeNames: ["h100-a", "a100-a"] }) });
      return (await res.json()) as { NodeNames: string[]; FailedNodes: Record<string, string> };
    };
    const first = await until(filter, (r) => r.NodeNames.length > 0);
    expect(first.NodeNames).toEqual(["a100-a"]);
    expect(first.FailedNodes["h100-a"]).toBe("gpu-steward: 1 of 8 GPUs free, pod needs 2");
    kube.store.delete(PODS, "team-a", "busy");
    const after = await until(filter, (r) => r.NodeNames.length === 2);
    expect(after.NodeNames).toEqual(["h100-a", "a100-a"]);
  });
});

describe("steward controller, cluster mode: shared state", () => {
  it("the leader learns from /v1/observe and publishes the model to the gpu-steward-state ConfigMap", async () => {
    const observe = () =>
      fetch(`http://127.0.0.1:${server.extenderPort}/v1/observe`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ job_type: "llama-7b-lora", gpu_type: "NVIDIA-A100-SXM4-80GB", measured_runtime_s: 1800 }),
      });
    // Until this replica holds the Lease it refuses to learn (503), then it learns.
    const learned = await until(observe, (res) => res.status === 200);
    expect(learned.status).toBe(200);
    // The first publish ran at takeover, before this observation; the next interval is 30 s away,
    // so read what the leader published at takeover: a document from this replica.
    const published = await until(
      () => kube.configMaps.get("gpu-steward", "gpu-steward-state"),
      (data) => data !== undefined,
    );
    const doc = JSON.parse(published!["state.json"]!) as { schemaVersion: number; publishedBy: string; model: { schemaVersion: number } };
    expect(doc).toMatchObject({ schemaVersion: 1, publishedBy: "controller-0", model: { schemaVersion: 1 } });
  });
});

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

beforeAll(async () => {
  kube = memoryAdapters(log, systemClock, { podName: "controller-0" });
  kube.store.create(NODES, "", { metadata: { name: "credits-a", labels: { "gpu-steward.io/pool": "credits" } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
  kube.store.create(NODES, "", { metadata: { name: "on-demand-a" }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
  const started = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const pod = (name: string, nodeName: string) => ({
    metadata: { name, namespace: "team-a", uid: `uid-${name}` },
    spec: { nodeName, containers: [{ name: "c", resources: { limits: { "nvidia.com/gpu": "4" } } }] },
    status: { phase: "Running", startTime: started },
  });
  kube.store.create(PODS, "team-a", pod("on-credits", "credits-a"));
  kube.store.create(PODS, "team-a", pod("on-demand", "on-demand-a"));
  const config = loadServeConfig({
    flags: {
      "webhook-port": "0",
      "extender-port": "0",
      "metrics-port": "0",
      "state-dir": mkdtempSync(join(tmpdir(), "steward-ledger-serve-")),
      "bind-address": "127.0.0.1",
      identity: "controller-0",
      "spend-source": "ledger",
      "spend-budget-usd": "50000",
      "ledger-usd-per-gpu-hour": "3",
    },
    env: {},
  });
  server = await startServe(config, { log, kube });
});
afterAll(async () => server?.stop());

describe("steward controller, cluster mode, embedded spend ledger", () => {
  it("prices the GPU pods on pool nodes from the cluster view and routes by the result", async () => {
    let status: { routing?: unknown; figures?: { monthToDateUsd: number } } = {};
    for (let i = 0; i < 100 && status.routing == null; i++) {
      status = (await (await fetch(`http://127.0.0.1:${server.extenderPort}/v1/spend`)).json()) as typeof status;
      if (status.routing == null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status, JSON.stringify(status)).toMatchObject({ enabled: true, source: "ledger", routing: { pool: "credits", closed: false } });
    // 4 GPUs for up to 2 h at $3/GPU-hour; the on-demand pod is not paid from the credits.
    const mtd = status.figures?.monthToDateUsd ?? Number.NaN;
    expect(mtd, JSON.stringify(status)).toBeGreaterThan(0);
    expect(mtd).toBeLessThanOrEqual(4 * 3 * 2.01);
  });
});

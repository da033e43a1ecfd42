import { request as httpsRequest } from "node:https";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServeConfig, startServe, type RunningServer } from "../../cmd/serve.js";
import { systemClock } from "../../platform/clock.js";
import { memoryAdapters } from "../../platform/kube/memory.js";
import type { KubePorts } from "../../platform/kube/ports.js";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";

let server: RunningServer;
let kube: KubePorts;
const stateDir = mkdtempSync(join(tmpdir(), "steward-cluster-"));
const log = pino({ level: "silent" });

beforeAll(async () => {
  kube = memoryAdapters(log, systemClock, { podName: "controller-0" });
  const config = loadServeConfig({
    flags: { "webhook-port": "0", "extender-port": "0", "metrics-port": "0", "state-dir": stateDir, "bind-address": "127.0.0.1", recommender: "ado", "ado-url": "http://127.0.0.1:9", "ado-async-gate": true, identity: "controller-0" },
    env: {},
  });
  server = await startServe(config, { log, kube });
});
afterAll(async () => server?.stop());

function mutate(body: string): Promise<Record<string, unknown>> {
  const ca = readFileSync(join(stateDir, "tls", "ca.crt"), "utf8");
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", servername: "localhost", port: server.webhookPort, path: "/mutate", method: "POST", ca }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve(JSON.parse(text)));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("steward controller, cluster mode with --ado-async-gate", () => {
  it("takes the leader Lease for its loops", async () => {
    let lease;
    for (let i = 0; i < 100 && !lease?.spec?.holderIdentity; i++) {
      lease = await kube.leases.get("gpu-steward", "gpu-steward-controller");
      if (!lease?.spec?.holderIdentity) await new Promise((r) => setTimeout(r, 20));
    }
    expect(lease?.spec?.holderIdentity).toBe("controller-0");
  });

  it("gates a Kueue-queued PyTorchJob at CREATE instead of waiting for ADO", async () => {
    const review = await mutate(JSON.stringify(anAdmissionReview(loadJob("jobs/llama-7b-lora_pytorchjob.yaml"))));
    const response = review.response as { patch: string };
    const ops = JSON.parse(Buffer.from(response.patch, "base64").toString()) as Array<{ path: string; value: unknown }>;
    expect(ops).toContainEqual(expect.objectContaining({ path: "/metadata/annotations/kueue.x-k8s.io~1admission-gated-by", value: "gpu-steward.io/rightsizing" }));
    expect(ops.some((op) => op.path.includes("nvidia.com~1gpu"))).toBe(false);
  });
});

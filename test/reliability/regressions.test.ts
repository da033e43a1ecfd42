/**
 * Regressions found by the reliability fuzz (issue 9), now fixed. Each input is the shrunk form of a fuzz
 * input (seed 20261123, index named) that made the controller hit an internal error: the webhook admitted the job unchanged with "internal error", the
 * extender passed every node with neutral scores; both count result="error". Bad input must be refused
 * and named (4xx) or handled, never reach a TypeError.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anAdmissionReview, loadJob } from "../builders/reviews.js";
import { internalErrors, startInProcess, type Target } from "../../reliability/target.js";

let stateDir: string;
let target: Target;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "steward-fuzz-regressions-"));
  target = await startInProcess(stateDir);
});

afterAll(async () => {
  await target?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function post(url: string, body: unknown): Promise<{ status: number; text: string; internal: { webhook: number; extender: number } }> {
  const before = await internalErrors(target.metricsUrl);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  const after = await internalErrors(target.metricsUrl);
  return { status: res.status, text, internal: { webhook: after.webhook - before.webhook, extender: after.extender - before.extender } };
}

describe("regression (fuzz): webhook", () => {
  it("a review without request.object is refused as invalid, not an internal error (fuzz #173: delete@request.object; TypeError at webhook/admit.ts regarding())", async () => {
    const review = anAdmissionReview(loadJob("jobs/llama-7b-lora_pytorchjob.yaml")) as { request: Record<string, unknown> };
    delete review.request.object;
    // The webhook serves TLS with a self-signed certificate: node's fetch cannot skip verification, so use the fuzz client.
    const { poster } = await import("../../reliability/client.js");
    const client = poster(target.webhookUrl, 1);
    const before = await internalErrors(target.metricsUrl);
    const answer = await client.post("/mutate?timeout=5s", JSON.stringify(review));
    client.close();
    const after = await internalErrors(target.metricsUrl);
    expect(answer.body).not.toContain("internal error");
    expect(after.webhook - before.webhook).toBe(0);
    expect(answer.status).toBeLessThan(500);
  });
});

describe("regression (fuzz): extender", () => {
  const names = ["gpu-node-00001", "gpu-node-00002"];

  it.each([
    ["containers: [null] (fuzz #11; TypeError at core/placement/podRequest.ts containerGpus)", [null]],
    ["containers: 1e308 (fuzz #239; `(spec.containers ?? []).reduce is not a function`)", 1e308],
    ["containers: \"x\" (fuzz #46, #88)", "x"],
  ])("/filter with Pod.spec.%s is refused as invalid, not an internal error", async (_name, containers) => {
    const r = await post(`${target.extenderUrl}/filter`, { Pod: { metadata: { name: "p", namespace: "bench" }, spec: { containers } }, NodeNames: names });
    expect(r.internal.extender).toBe(0);
    expect(r.status).toBe(400);
  });

  it.each([
    ["0", 0],
    ["\"\"", ""],
  ])("/prioritize in Nodes mode with a node labelled nvidia.com/gpu.product=%s is not an internal error (fuzz #189, #202: ScoringInputError candidateGpuTypes)", async (_name, product) => {
    const r = await post(`${target.extenderUrl}/prioritize`, {
      Pod: { metadata: { name: "p", namespace: "bench", labels: { "gpu-steward.io/job-type": "job-type-1" } }, spec: { containers: [{ resources: { limits: { "nvidia.com/gpu": "1" } } }] } },
      Nodes: { metadata: {}, items: names.map((name) => ({ metadata: { name, labels: { "nvidia.com/gpu.product": product } }, status: { allocatable: { "nvidia.com/gpu": "8" } } })) },
    });
    expect(r.internal.extender).toBe(0);
    expect(r.status).toBeLessThan(500);
  });

  it("/prioritize in Nodes mode for a pod whose gpu-steward.io/job-type label is a number is not an internal error (fuzz #1643: ScoringInputError jobType)", async () => {
    const r = await post(`${target.extenderUrl}/prioritize`, {
      Pod: { metadata: { name: "p", namespace: "bench", labels: { "gpu-steward.io/job-type": -1 } }, spec: { containers: [{ resources: { limits: { "nvidia.com/gpu": "1" } } }] } },
      Nodes: { metadata: {}, items: names.map((name) => ({ metadata: { name, labels: { "nvidia.com/gpu.product": "NVIDIA-L40S" } }, status: { allocatable: { "nvidia.com/gpu": "8" } } })) },
    });
    expect(r.internal.extender).toBe(0);
    expect(r.status).toBeLessThan(500);
  });
});

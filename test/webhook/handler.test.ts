import { createServer, type Server } from "node:http";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMutateHandler } from "../../webhook/handler.js";
import { routeMutate } from "../../webhook/router.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anAdmissionReview, FIXTURES, loadJob } from "../builders/reviews.js";
import { aHarness } from "./harness.js";

const job = loadJob("jobs/llama-7b-lora_pytorchjob.yaml");
let server: Server;
const h = aHarness({ config: { maxBodyBytes: 64 * 1024 } });

beforeAll(() => {
  const notFound = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(404).end();
  };
  server = createServer(routeMutate(createMutateHandler(h.deps), notFound));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function decodePatch(body: { response: { patch?: string } }): Array<{ op: string; path: string }> {
  return JSON.parse(Buffer.from(body.response.patch!, "base64").toString("utf8"));
}

describe("POST /mutate", () => {
  it("answers an AdmissionReview v1 with the uid echoed and a base64 JSONPatch", async () => {
    const res = await request(server).post("/mutate?timeout=10s").send(anAdmissionReview(job, { uid: "abc-123" })).expect(200);
    expect(res.body).toMatchObject({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: "abc-123", allowed: true, patchType: "JSONPatch" } });
    expect(decodePatch(res.body).length).toBeGreaterThan(3);
  });

  it("answers a review it does not act on without a patch", async () => {
    const res = await request(server).post("/mutate").send(anAdmissionReview(job, { operation: "DELETE" })).expect(200);
    expect(res.body.response).toEqual({ uid: "705ab4f5-6393-11e8-b7cc-42010a800002", allowed: true });
  });

  it.each([
    ["a body that is not JSON", "{not json", /body is not JSON/],
    ["JSON that is not an object", "[1,2]", /\(body\): /],
    ["a v1beta1 review", JSON.stringify({ ...anAdmissionReview(job), apiVersion: "admission.k8s.io/v1beta1" }), /^apiVersion: expected admission.k8s.io\/v1/],
    ["a review without request", JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }), /^request: /],
    ["a review without request.uid", JSON.stringify(withoutUid()), /^request\.uid: /],
    ["an unknown operation", JSON.stringify(withOperation("PATCH")), /^request\.operation: /],
  ])("refuses %s with 400 naming the field", async (_name, body, message) => {
    const res = await request(server).post("/mutate").set("content-type", "application/json").send(body).expect(400);
    expect(res.body.code).toBe("REVIEW_INVALID");
    expect(res.body.message).toMatch(message);
  });

  it("refuses a body over the limit with 413, declared or streamed", async () => {
    const big = JSON.stringify({ ...anAdmissionReview(job), padding: "x".repeat(70 * 1024) });
    const declared = await request(server).post("/mutate").set("content-type", "application/json").send(big);
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe("REVIEW_TOO_LARGE");
  });

  it("reads the apimachinery round-trip AdmissionReview: its placeholder operation is named in a 400", async () => {
    const fixture = JSON.parse(readFileSync(join(FIXTURES, "kubernetes", "admission.k8s.io.v1.AdmissionReview.json"), "utf8"));
    const res = await request(server).post("/mutate").send(fixture).expect(400);
    expect(res.body.message).toMatch(/^request\.operation: /);
    fixture.request.operation = "CREATE";
    delete fixture.response;
    const ok = await request(server).post("/mutate").send(fixture).expect(200);
    expect(ok.body.response).toEqual({ uid: "uidValue", allowed: true });
  });

  it("refuses GET with 405", async () => {
    await request(server).get("/mutate").expect(405);
  });

  it("counts reviews by kind, operation and result", async () => {
    const text = await h.registry.getSingleMetricAsString("gpu_steward_webhook_reviews_total");
    expect(text).toMatch(/gpu_steward_webhook_reviews_total\{kind="PyTorchJob",operation="CREATE",result="patched"\} [1-9]/);
    expect(text).toMatch(/result="invalid"/);
  });
});

function withoutUid(): Record<string, unknown> {
  const review = anAdmissionReview(job) as { request: Record<string, unknown> };
  delete review.request.uid;
  return review;
}

function withOperation(operation: string): Record<string, unknown> {
  const review = anAdmissionReview(job) as { request: Record<string, unknown> };
  review.request.operation = operation;
  return review;
}

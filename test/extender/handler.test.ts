import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES } from "../builders/reviews.js";
import { aTopology } from "../core/topology/topologyBuilder.js";
import { cachedTopologyScorer } from "../../extender/topologyScorer.js";
import { aGpuNode, aGpuPod, anExtender, type ExtenderHarness } from "./harness.js";

const wire = JSON.parse(readFileSync(join(FIXTURES, "kubernetes", "extender-v1-fixtures.json"), "utf8")).fixtures;

let h: ExtenderHarness;
afterEach(() => h?.close());

async function counter(name: string): Promise<Record<string, number>> {
  const metric = await h.registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [Object.values(v.labels).join("/"), v.value]));
}

function cluster(): ExtenderHarness {
  h = anExtender();
  h.view.upsertNode(aGpuNode("h100-a", 8));
  h.view.upsertNode(aGpuNode("h100-b", 8));
  h.view.upsertNode(aGpuNode("a100-a", 8, { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" }));
  h.view.upsertNode(aGpuNode("cpu-a", 0));
  h.view.upsertPod(aGpuPod("busy", 6, { nodeName: "h100-b", jobType: "llama-70b-full" }));
  return h;
}

describe("POST /filter (nodeCacheCapable: NodeNames)", () => {
  it("passes nodes with room, fails the others with a reason, and names unknown nodes unresolvable", async () => {
    cluster();
    const res = await request(h.server)
      .post("/filter")
      .send({ Pod: aGpuPod("train", 4), Nodes: null, NodeNames: ["h100-a", "h100-b", "a100-a", "cpu-a", "ghost"] })
      .expect(200);
    expect(res.body).toEqual({
      Nodes: null,
      NodeNames: ["h100-a", "a100-a"],
      FailedNodes: { "h100-b": "gpu-steward: 2 of 8 GPUs free, pod needs 4", "cpu-a": "gpu-steward: node has no allocatable GPUs" },
      FailedAndUnresolvableNodes: { ghost: "gpu-steward: node not in the cluster view" },
      Error: "",
    });
    expect(await counter("gpu_steward_extender_filter_nodes_total")).toEqual({ passed: 2, failed: 2, unresolvable: 1 });
  });

  it("keeps a pod to the GPU type it names", async () => {
    cluster();
    const pod = aGpuPod("train", 1, { products: ["NVIDIA-A100-SXM4-80GB"] });
    const res = await request(h.server).post("/filter").send({ Pod: pod, NodeNames: ["h100-a", "a100-a"] }).expect(200);
    expect(res.body.NodeNames).toEqual(["a100-a"]);
    expect(res.body.FailedNodes["h100-a"]).toMatch(/pod needs NVIDIA-A100-SXM4-80GB/);
  });

  it("passes every node for a pod that asks no GPU", async () => {
    cluster();
    const res = await request(h.server).post("/filter").send({ Pod: { metadata: { name: "web" }, spec: { containers: [{}] } }, NodeNames: ["cpu-a", "ghost"] }).expect(200);
    expect(res.body.NodeNames).toEqual(["cpu-a", "ghost"]);
  });

  it("accepts the legacy lower-case keys", async () => {
    cluster();
    const res = await request(h.server).post("/filter").send({ pod: aGpuPod("train", 1), nodenames: ["h100-a"] }).expect(200);
    expect(res.body.NodeNames).toEqual(["h100-a"]);
  });

  it("property: never passes a node without room", async () => {
    cluster();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), async (gpus) => {
        const res = await request(h.server).post("/filter").send({ Pod: aGpuPod("p", gpus), NodeNames: ["h100-a", "h100-b", "a100-a", "cpu-a"] });
        for (const name of res.body.NodeNames) {
          const cap = h.view.capacity(name)!;
          expect(cap.allocatableGpus - cap.usedGpus).toBeGreaterThanOrEqual(gpus);
        }
      }),
      { seed: 9, numRuns: 15 },
    );
  });
});

describe("POST /filter (Nodes: whole Node objects)", () => {
  it("answers the kube-scheduler round-trip fixture in its own shape", async () => {
    cluster();
    const args = { ...wire.ExtenderArgs, NodeNames: null };
    const res = await request(h.server).post("/filter").send(args).expect(200);
    // The fixture pod asks no GPU: every node passes, returned as the Node objects it sent.
    expect(res.body).toEqual({ Nodes: { metadata: {}, items: args.Nodes.items }, NodeNames: null, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: "" });
    expect(Object.keys(res.body)).toEqual(Object.keys(wire.ExtenderFilterResult));
  });

  it("judges nodes the view does not know from the objects the request carries", async () => {
    cluster();
    const res = await request(h.server)
      .post("/filter")
      .send({ Pod: aGpuPod("train", 4), Nodes: { metadata: {}, items: [aGpuNode("fresh", 8), aGpuNode("small", 2), aGpuNode("h100-b", 8)] } })
      .expect(200);
    expect(res.body.Nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(["fresh"]);
    expect(Object.keys(res.body.FailedNodes)).toEqual(["small", "h100-b"]);
  });
});

describe("POST /prioritize", () => {
  it("answers a HostPriorityList of integers 0..10, in the fixture's shape", async () => {
    cluster();
    const res = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("train", 2, { jobType: "llama-7b-lora" }), NodeNames: ["h100-a", "h100-b", "a100-a"] }).expect(200);
    expect(res.body).toHaveLength(3);
    for (const entry of res.body) {
      expect(Object.keys(entry)).toEqual(Object.keys(wire.HostPriority));
      expect(Number.isInteger(entry.Score) && entry.Score >= 0 && entry.Score <= 10).toBe(true);
    }
    expect(res.body.map((e: { Host: string }) => e.Host)).toEqual(["h100-a", "h100-b", "a100-a"]);
  });

  it("ranks a node below another when its running job type is learned to slow this one down", async () => {
    h = anExtender({ weights: { runtime: 0, interference: 1, topology: 0, spend: 0 } });
    h.view.upsertNode(aGpuNode("h100-a", 8));
    h.view.upsertNode(aGpuNode("h100-b", 8));
    h.view.upsertPod(aGpuPod("busy", 6, { nodeName: "h100-b", jobType: "llama-70b-full" }));
    h.model.observe({ jobType: "llama-7b-lora", gpuType: "NVIDIA-H100-80GB-HBM3", runtimeS: 100 }, h.clock.nowMs());
    h.model.observe({ jobType: "llama-7b-lora", gpuType: "NVIDIA-H100-80GB-HBM3", runtimeS: 200, colocatedJobTypes: ["llama-70b-full"] }, h.clock.nowMs());
    const res = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("train", 1, { jobType: "llama-7b-lora" }), NodeNames: ["h100-a", "h100-b"] }).expect(200);
    const score = Object.fromEntries(res.body.map((e: { Host: string; Score: number }) => [e.Host, e.Score]));
    const penalty = h.model.interferencePenalty("llama-7b-lora", ["llama-70b-full"]);
    expect(penalty).toBeGreaterThan(0);
    expect(score).toEqual({ "h100-a": 10, "h100-b": Math.round(10 / (1 + penalty)) });
    expect(score["h100-a"]).toBeGreaterThan(score["h100-b"]);
  });

  it("prefers the node whose free GPUs are NVLink pairs, and is neutral for nodes without a report", async () => {
    h = anExtender({ weights: { runtime: 0, interference: 0, topology: 1, spend: 0 }, scorers: { topology: cachedTopologyScorer() } });
    // Four PCIe GPUs behind host bridges, two NVLink pairs (0-1, 2-3).
    const pairs = aTopology(4).links("PHB").link(0, 1, "NV4").link(2, 3, "NV4").build();
    for (const name of ["pair-free", "pair-broken", "no-report"]) h.view.upsertNode(aGpuNode(name, 4));
    h.view.setTopology("pair-free", pairs, [0, 1]); // 2-3 free: an NVLink pair
    h.view.setTopology("pair-broken", pairs, [0, 2]); // 1 and 3 free: PCIe only
    const res = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("p", 2), NodeNames: ["pair-free", "pair-broken", "no-report"] }).expect(200);
    const score = Object.fromEntries(res.body.map((e: { Host: string; Score: number }) => [e.Host, e.Score]));
    expect(score["pair-free"]).toBe(10);
    expect(score["pair-broken"]).toBeLessThan(score["pair-free"]);
    expect(score["no-report"]).toBe(5);
  });

  it("steers routed pods onto the credit pool and others away from it", async () => {
    h = anExtender({ weights: { runtime: 0, interference: 0, topology: 0, spend: 1 }, spend: { pool: "credits", routingPct: 50, closed: false } });
    h.view.upsertNode(aGpuNode("pool", 8, { "gpu-steward.io/pool": "credits" }));
    h.view.upsertNode(aGpuNode("paid", 8));
    const { routesToPool } = await import("../../core/spend/index.js");
    const uids = Array.from({ length: 40 }, (_, i) => `uid-${i}`);
    for (const uid of uids) {
      const res = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("p", 1, { uid }), NodeNames: ["pool", "paid"] }).expect(200);
      const expected = routesToPool(uid, 50) ? [10, 0] : [0, 10];
      expect(res.body.map((e: { Score: number }) => e.Score)).toEqual(expected);
    }
  });

  it("closes the pool at the spend target: filter fails its nodes", async () => {
    h = anExtender({ spend: { pool: "credits", routingPct: 0, closed: true } });
    h.view.upsertNode(aGpuNode("pool", 8, { "gpu-steward.io/pool": "credits" }));
    h.view.upsertNode(aGpuNode("paid", 8));
    const res = await request(h.server).post("/filter").send({ Pod: aGpuPod("p", 1), NodeNames: ["pool", "paid"] }).expect(200);
    expect(res.body.NodeNames).toEqual(["paid"]);
    expect(res.body.FailedNodes.pool).toMatch(/at its spend target/);
  });

  it("gives a pod that asks no GPU the neutral score everywhere, and keeps no decision", async () => {
    cluster();
    const res = await request(h.server).post("/prioritize").send({ Pod: { metadata: { name: "web", namespace: "team-a" }, spec: { containers: [] } }, NodeNames: ["h100-a", "cpu-a"] }).expect(200);
    expect(res.body).toEqual([{ Host: "h100-a", Score: 5 }, { Host: "cpu-a", Score: 5 }]);
    await request(h.server).get("/v1/decisions/team-a/web").expect(404);
  });

  it("keeps the decision per component, shown by GET /v1/decisions/{namespace}/{pod}", async () => {
    cluster();
    await request(h.server).post("/prioritize").send({ Pod: aGpuPod("train", 2, { jobType: "llama-7b-lora" }), NodeNames: ["h100-a", "h100-b", "a100-a"] }).expect(200);
    const res = await request(h.server).get("/v1/decisions/team-a/train").expect(200);
    expect(res.body).toMatchObject({ namespace: "team-a", pod: "train", uid: "uid-train", gpus: 2, jobType: "llama-7b-lora", candidates: 3, atMs: 1_700_000_000_000 });
    expect(res.body.nodes[0]).toEqual({ node: expect.any(String), score: expect.any(Number), components: { runtime: expect.any(Number), interference: expect.any(Number), topology: 0.5, spend: 0.5 } });
  });
});

describe("bad input and internal errors", () => {
  it.each([
    ["a body that is not JSON", "{nope", /body is not JSON/],
    ["no Pod", JSON.stringify({ NodeNames: ["a"] }), /^Pod: required/],
    ["neither NodeNames nor Nodes", JSON.stringify({ Pod: { metadata: { name: "p" } } }), /^NodeNames: one of NodeNames/],
    ["a node name that is not a string", JSON.stringify({ Pod: {}, NodeNames: ["a", 3] }), /^NodeNames\.1: /],
    ["a Node without a name", JSON.stringify({ Pod: {}, Nodes: { items: [{ metadata: {} }] } }), /^Nodes\.items\.0\.metadata\.name: /],
  ])("400 naming the field for %s", async (_what, body, message) => {
    cluster();
    for (const verb of ["filter", "prioritize"]) {
      const res = await request(h.server).post(`/${verb}`).set("content-type", "application/json").send(body).expect(400);
      expect(res.body).toMatchObject({ code: "EXTENDER_ARGS_INVALID", message: expect.stringMatching(message) });
    }
  });

  it("413 over the body limit, 405 for GET", async () => {
    h = anExtender({ maxBodyBytes: 2048 });
    const res = await request(h.server).post("/filter").send({ Pod: {}, NodeNames: Array.from({ length: 500 }, (_, i) => `node-${i}`) });
    expect(res.status).toBe(413);
    await request(h.server).get("/filter").expect(405);
  });

  it("on an internal error passes every node with neutral scores, and counts it", async () => {
    h = anExtender({ scorers: { topology: () => { throw new Error("boom"); }, spend: () => { throw new Error("boom"); } } });
    h.view.upsertNode(aGpuNode("n1", 0));
    const filtered = await request(h.server).post("/filter").send({ Pod: aGpuPod("p", 1), NodeNames: ["n1", "ghost"] }).expect(200);
    expect(filtered.body.NodeNames).toEqual(["n1", "ghost"]);
    const scored = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("p", 1), NodeNames: ["n1", "ghost"] }).expect(200);
    expect(scored.body).toEqual([{ Host: "n1", Score: 5 }, { Host: "ghost", Score: 5 }]);
    expect(await counter("gpu_steward_extender_requests_total")).toEqual({ "filter/error": 1, "prioritize/error": 1 });
  });

  it("an empty node list is an empty answer", async () => {
    cluster();
    const res = await request(h.server).post("/prioritize").send({ Pod: aGpuPod("p", 1), NodeNames: [] }).expect(200);
    expect(res.body).toEqual([]);
  });
});

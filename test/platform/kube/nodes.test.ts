/** The agent's Node port, against the in-memory store and through client-node against the fake API server. */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { MemoryObjectStore } from "../../../platform/kube/memoryStore.js";
import { NODES } from "../../../platform/kube/memoryWatch.js";
import { KubeNodes, MemoryNodes, type Nodes } from "../../../platform/kube/nodes.js";
import { CoreV1Api } from "@kubernetes/client-node";
import { startFakeApiServer, type FakeApiServer } from "./fakeApiServer.js";

const clock = new ManualClock(Date.UTC(2026, 0, 5));
let server: FakeApiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const factories: Record<string, () => Promise<{ nodes: Nodes; store: MemoryObjectStore }>> = {
  memory: async () => {
    const store = new MemoryObjectStore(clock);
    return { nodes: new MemoryNodes(store), store };
  },
  "client-node": async () => {
    server = await startFakeApiServer(clock);
    return { nodes: new KubeNodes(server.kubeConfig().makeApiClient(CoreV1Api)), store: server.store };
  },
};

describe.each(Object.keys(factories))("Nodes (%s)", (kind) => {
  it("reads a Node's uid and labels; undefined for a Node that does not exist", async () => {
    const { nodes, store } = await factories[kind]!();
    store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1", labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" } } });
    const found = await nodes.get("gpu-1");
    expect(found?.uid).toMatch(/.+/);
    expect(found?.labels).toEqual({ "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" });
    expect(await nodes.get("gpu-2")).toBeUndefined();
  });

  it("sets and removes only the labels named (merge patch)", async () => {
    const { nodes, store } = await factories[kind]!();
    store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1", labels: { keep: "me", "nvidia.com/mig.config": "all-disabled" } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
    await nodes.patchLabels("gpu-1", { "nvidia.com/mig.config": "all-1g.10gb" });
    expect((await nodes.get("gpu-1"))?.labels).toEqual({ keep: "me", "nvidia.com/mig.config": "all-1g.10gb" });
    await nodes.patchLabels("gpu-1", { keep: null });
    expect((await nodes.get("gpu-1"))?.labels).toEqual({ "nvidia.com/mig.config": "all-1g.10gb" });
    expect(store.get(NODES, "", "gpu-1")?.["status"]).toEqual({ allocatable: { "nvidia.com/gpu": "8" } });
  });

  it("a patch of a missing Node is a typed 404", async () => {
    const { nodes } = await factories[kind]!();
    const err = await nodes.patchLabels("absent", { a: "b" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).statusCode).toBe(404);
  });
});

describe("Nodes on the wire", () => {
  it("sends the label change as a merge patch", async () => {
    server = await startFakeApiServer(clock);
    server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1" } });
    await new KubeNodes(server.kubeConfig().makeApiClient(CoreV1Api)).patchLabels("gpu-1", { "nvidia.com/mig.config": "all-1g.10gb" });
    const patch = server.requests.find((r) => r.method === "PATCH");
    expect(patch).toMatchObject({ path: "/api/v1/nodes/gpu-1", contentType: "application/merge-patch+json", body: { metadata: { labels: { "nvidia.com/mig.config": "all-1g.10gb" } } }, status: 200 });
    expect(server.violations).toEqual([]);
  });
});

/**
 * The cluster-view sync over client-node against the fake API server: the shared scenarios, then what
 * only a real transport shows (paths and query parameters, paging, HTTP 410, lines that are not events,
 * a connection cut mid-stream).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { ClusterView } from "../../../platform/kube/clusterView.js";
import { startClusterViewSync, type ClusterViewSync } from "../../../platform/kube/clusterViewSync.js";
import { NODES, PODS } from "../../../platform/kube/memoryWatch.js";
import { kubeClusterWatches, LIST_PAGE_SIZE } from "../../../platform/kube/watches.js";
import { createLogger } from "../../../platform/log.js";
import { START_MS } from "./contract.js";
import { startFakeApiServer, type FakeApiServer } from "./fakeApiServer.js";
import { aNode, aPod, clusterViewSyncContract } from "./syncContract.js";

clusterViewSyncContract("client-node watches over HTTP", async () => {
  const server = await startFakeApiServer(new ManualClock(START_MS));
  return {
    watches: kubeClusterWatches(server.kubeConfig()),
    store: server.store,
    watching: (gvr) => server.openWatches(gvr.plural).length,
    dropWatches: (gvr) => server.openWatches(gvr.plural).forEach((w) => w.drop()),
    async close() {
      await server.close();
      expect(server.violations).toEqual([]);
    },
  };
});

describe("ClusterView sync on the wire", () => {
  let server: FakeApiServer;
  let view: ClusterView;
  let sync: ClusterViewSync | undefined;

  const start = (): ClusterViewSync =>
    (sync = startClusterViewSync({
      watches: kubeClusterWatches(server.kubeConfig()),
      view,
      log: createLogger({ level: "silent" }),
      clock: new ManualClock(START_MS),
      backoff: { initialMs: 1, maxMs: 5 },
    }));
  const watchRequests = (path: string) => server.requests.filter((r) => r.path === path && r.query["watch"] !== undefined);
  const connected = () => vi.waitFor(() => expect(server.openWatches("pods")).toHaveLength(1));

  beforeEach(async () => {
    server = await startFakeApiServer(new ManualClock(START_MS));
    view = new ClusterView();
    server.store.create(NODES, "", aNode("gpu-1", 8));
    server.store.create(PODS, "team-a", aPod("train-0", "gpu-1", 2));
  });
  afterEach(async () => {
    await sync?.stop();
    sync = undefined;
    await server.close();
    expect(server.violations).toEqual([]);
  });

  it("lists with limit, then watches the cluster-wide paths from the list's version with bookmarks and a jittered timeout", async () => {
    await start().synced;
    await vi.waitFor(() => expect(watchRequests("/api/v1/nodes")).toHaveLength(1));
    await connected();
    const version = server.store.resourceVersion;
    const lists = server.requests.filter((r) => r.query["watch"] === undefined).map((r) => [r.method, r.path, r.query]);
    expect(lists).toEqual(
      expect.arrayContaining([
        ["GET", "/api/v1/nodes", { limit: String(LIST_PAGE_SIZE) }],
        ["GET", "/api/v1/pods", { limit: String(LIST_PAGE_SIZE), fieldSelector: "spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed" }],
      ]),
    );
    for (const path of ["/api/v1/nodes", "/api/v1/pods"]) {
      const [watch] = watchRequests(path);
      expect(watch).toMatchObject({ method: "GET", authorization: "Bearer t", status: 200, query: { watch: "true", resourceVersion: version, allowWatchBookmarks: "true" } });
      expect(Number(watch?.query["timeoutSeconds"])).toBeGreaterThanOrEqual(300);
      expect(Number(watch?.query["timeoutSeconds"])).toBeLessThan(600);
    }
    // Pods as kube-scheduler's informer selects them: bound and not terminal, on the list and the watch.
    expect(watchRequests("/api/v1/pods")[0]?.query["fieldSelector"]).toBe("spec.nodeName!=,status.phase!=Succeeded,status.phase!=Failed");
    expect(watchRequests("/api/v1/nodes")[0]?.query["fieldSelector"]).toBeUndefined();
  });

  it("follows continue tokens until the list is whole", async () => {
    for (let i = 0; i < LIST_PAGE_SIZE + 20; i += 1) server.store.create(PODS, "team-b", aPod(`worker-${i}`, "gpu-1", 0));
    server.store.create(PODS, "team-b", aPod("last", "gpu-1", 1));
    await start().synced;
    expect(view.capacity("gpu-1")?.usedGpus).toBe(3);
    const pages = server.requests.filter((r) => r.path === "/api/v1/pods" && r.query["watch"] === undefined);
    expect(pages).toHaveLength(2);
    expect(pages[1]?.query).toMatchObject({ limit: String(LIST_PAGE_SIZE), continue: expect.any(String) });
  });

  it("lists again when the watch is refused with HTTP 410", async () => {
    server.goneAs = "http-410";
    await start().synced;
    await connected();
    server.openWatches("pods").forEach((w) => w.drop());
    server.store.delete(PODS, "team-a", "train-0");
    server.store.compact();
    await vi.waitFor(() => expect(view.capacity("gpu-1")?.usedGpus).toBe(0));
    expect(watchRequests("/api/v1/pods").map((r) => r.status)).toContain(410);
    expect(server.requests.filter((r) => r.path === "/api/v1/pods" && r.query["watch"] === undefined)).toHaveLength(2);
  });

  it("skips lines that are not events and events it cannot read, then applies the next good one", async () => {
    await start().synced;
    await connected();
    const [stream] = server.openWatches("pods");
    stream?.writeLine("{not json");
    stream?.writeLine('{"type":"ADDED","object":"a string"}');
    stream?.writeLine('{"type":"SYNC","object":{"metadata":{"name":"x"}}}');
    stream?.writeLine('{"type":"MODIFIED","object":{"metadata":{"name":"train-0","namespace":"team-a"},"spec":{"containers":{}}}}');
    stream?.writeLine("null");
    server.store.create(PODS, "team-c", aPod("serve-0", "gpu-1", 4));
    await vi.waitFor(() => expect(view.capacity("gpu-1")?.usedGpus).toBe(6));
    expect(server.openWatches("pods")).toHaveLength(1);
  });

  it("resumes from the same version after an ERROR event other than 410, without listing", async () => {
    await start().synced;
    await connected();
    const version = server.store.resourceVersion;
    server.openWatches("pods").forEach((w) => w.writeLine(JSON.stringify({ type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 500, reason: "InternalError", message: "etcd timeout" } })));
    await vi.waitFor(() => expect(watchRequests("/api/v1/pods").length).toBeGreaterThanOrEqual(2));
    expect(watchRequests("/api/v1/pods").map((r) => r.query["resourceVersion"])).toEqual(watchRequests("/api/v1/pods").map(() => version));
    expect(server.requests.filter((r) => r.path === "/api/v1/pods" && r.query["watch"] === undefined)).toHaveLength(1);
  });
});

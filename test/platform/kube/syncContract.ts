/**
 * What startClusterViewSync must do over any ClusterWatches adapter: run against the in-memory adapter
 * (clusterViewSync.test.ts) and against client-node talking to the fake API server
 * (clusterViewSyncWire.test.ts). The cluster is the fixture's MemoryObjectStore: tests write to it and
 * read the ClusterView back.
 */
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../../platform/clock.js";
import { ClusterView } from "../../../platform/kube/clusterView.js";
import { ClusterViewSyncMetrics } from "../../../platform/kube/clusterViewMetrics.js";
import { startClusterViewSync, type ClusterViewSync } from "../../../platform/kube/clusterViewSync.js";
import { GoneError, KubeApiError } from "../../../platform/kube/errors.js";
import type { MemoryObjectStore, WireObject } from "../../../platform/kube/memoryStore.js";
import { NODES, PODS } from "../../../platform/kube/memoryWatch.js";
import type { ClusterWatches, GroupVersionResource, ObjectWatch, WatchOptions } from "../../../platform/kube/ports.js";
import { createLogger } from "../../../platform/log.js";
import { START_MS } from "./contract.js";
import { NODE_REPORTS } from "../../../platform/kube/nodeReports.js";
import { aNodeReport, aNodeReportStatus } from "../../builders/nodeReports.js";

export interface SyncFixture {
  watches: ClusterWatches;
  store: MemoryObjectStore;
  /** Open watch streams on `gvr` as the cluster side sees them. */
  watching(gvr: GroupVersionResource): number;
  /** Cuts the open watches on `gvr` the way this transport loses a connection. */
  dropWatches(gvr: GroupVersionResource): void;
  close(): Promise<void>;
}

export type SyncFixtureFactory = () => Promise<SyncFixture>;

export const aNode = (name: string, gpus: number, labels: Record<string, string> = {}): WireObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", ...labels } },
  status: { allocatable: { cpu: "96", "nvidia.com/gpu": String(gpus) } },
});

export const aPod = (name: string, nodeName: string | undefined, gpus: number, phase = "Running"): WireObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { "gpu-steward.io/job-type": "lora" } },
  spec: { ...(nodeName && { nodeName }), containers: [{ name: "trainer", resources: { limits: { "nvidia.com/gpu": String(gpus) } } }] },
  status: { phase },
});

/** Records what the sync asked of each resource, whatever the transport. */
function recording(w: ClusterWatches): { watches: ClusterWatches; lists: Record<string, number>; watchesFrom: Record<string, string[]>; events: Record<string, string[]> } {
  const lists: Record<string, number> = {};
  const watchesFrom: Record<string, string[]> = {};
  const events: Record<string, string[]> = {};
  const wrap = (source: ObjectWatch): ObjectWatch => ({
    resource: source.resource,
    list: () => {
      lists[source.resource] = (lists[source.resource] ?? 0) + 1;
      return source.list();
    },
    watch: (opts: WatchOptions, onEvent, signal) => {
      (watchesFrom[source.resource] ??= []).push(opts.resourceVersion);
      return source.watch(
        opts,
        (e) => {
          (events[source.resource] ??= []).push(e.type);
          onEvent(e);
        },
        signal,
      );
    },
  });
  return { watches: { nodes: wrap(w.nodes), pods: wrap(w.pods), nodeReports: wrap(w.nodeReports) }, lists, watchesFrom, events };
}

const rvOf = (obj: WireObject | undefined): string => String((obj?.["metadata"] as { resourceVersion?: string } | undefined)?.resourceVersion);

export function clusterViewSyncContract(adapterName: string, factory: SyncFixtureFactory): void {
  describe(`ClusterView sync: ${adapterName}`, () => {
    let f: SyncFixture;
    let view: ClusterView;
    let sync: ClusterViewSync | undefined;
    let rec: ReturnType<typeof recording>;
    let registry: Registry;
    let metrics: ClusterViewSyncMetrics;

    const start = (over: { resyncMs?: number; nodeReports?: boolean } = {}): ClusterViewSync => {
      rec = recording(f.watches);
      sync = startClusterViewSync({
        watches: rec.watches,
        view,
        log: createLogger({ level: "silent" }),
        clock: new ManualClock(START_MS),
        backoff: { initialMs: 1, maxMs: 5 },
        metrics,
        ...over,
      });
      return sync;
    };
    const skipped = async (): Promise<number> => (await metrics.skipped.get()).values.reduce((n, v) => n + v.value, 0);
    const connected = async (): Promise<void> =>
      vi.waitFor(() => {
        expect(f.watching(NODES)).toBe(1);
        expect(f.watching(PODS)).toBe(1);
      });

    beforeEach(async () => {
      f = await factory();
      view = new ClusterView();
      registry = new Registry();
      metrics = new ClusterViewSyncMetrics(registry);
      f.store.create(NODES, "", aNode("gpu-1", 8, { "gpu-steward.io/pool": "credits" }));
      f.store.create(NODES, "", aNode("gpu-2", 4));
      f.store.create(PODS, "team-a", aPod("train-0", "gpu-1", 2));
      f.store.create(PODS, "team-b", aPod("train-1", "gpu-1", 1));
      f.store.create(PODS, "team-a", aPod("pending", undefined, 4, "Pending"));
      f.store.create(PODS, "team-a", aPod("done", "gpu-2", 4, "Succeeded"));
    });
    afterEach(async () => {
      await sync?.stop();
      sync = undefined;
      await f.close();
    });

    it("resolves synced after the first list of both, with bound non-terminal pods counted in every namespace", async () => {
      const s = start();
      expect(s.isSynced()).toBe(false);
      await s.synced;
      expect(s.isSynced()).toBe(true);
      expect(view.nodeCount).toBe(2);
      expect(view.capacity("gpu-1")).toMatchObject({ allocatableGpus: 8, usedGpus: 3, pool: "credits", jobTypesKey: "lora=2" });
      expect(view.capacity("gpu-2")).toMatchObject({ allocatableGpus: 4, usedGpus: 0 });
      expect(rec.lists).toEqual({ nodes: 1, pods: 1 });
    });

    it("applies added, modified and deleted pods and nodes", async () => {
      await start().synced;
      await connected();
      f.store.create(PODS, "team-c", aPod("serve-0", "gpu-2", 3));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(3));
      f.store.replace(PODS, "team-c", "serve-0", aPod("serve-0", "gpu-2", 3, "Failed"));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(0));
      f.store.delete(PODS, "team-a", "train-0");
      await vi.waitFor(() => expect(view.capacity("gpu-1")?.usedGpus).toBe(1));
      f.store.create(NODES, "", aNode("gpu-3", 2));
      f.store.replace(NODES, "", "gpu-2", aNode("gpu-2", 4, { "gpu-steward.io/pool": "credits" }));
      f.store.delete(NODES, "", "gpu-1");
      await vi.waitFor(() => {
        expect(view.capacity("gpu-3")?.allocatableGpus).toBe(2);
        expect(view.capacity("gpu-2")?.pool).toBe("credits");
        expect(view.capacity("gpu-1")).toBeUndefined();
      });
      expect(rec.lists).toEqual({ nodes: 1, pods: 1 });
    });

    it("follows the agents' NodeReports into the view's topology when asked, without them holding up sync", async () => {
      const s = start({ nodeReports: true });
      await s.synced;
      expect(view.capacity("gpu-1")?.topology).toBeUndefined();
      const status = aNodeReportStatus({ agent: { version: "0.1.0", dryRun: false, heartbeat: new Date(START_MS).toISOString(), pollIntervalSeconds: 30, problems: [] } });
      const report = aNodeReport(status);
      (report["metadata"] as { name: string }).name = "gpu-1";
      (report["spec"] as { nodeName: string }).nodeName = "gpu-1";
      f.store.create(NODE_REPORTS, "", report);
      await vi.waitFor(() => expect(view.capacity("gpu-1")?.topology?.allocated).toEqual([0, 4, 6]));
      f.store.delete(NODE_REPORTS, "", "gpu-1");
      await vi.waitFor(() => expect(view.capacity("gpu-1")?.topology).toBeUndefined());
    });

    it("counts a pending pod once it is bound, and releases it when it finishes or is deleted", async () => {
      await start().synced;
      await connected();
      expect(view.capacity("gpu-2")?.usedGpus).toBe(0);
      f.store.replace(PODS, "team-a", "pending", aPod("pending", "gpu-2", 4, "Running"));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(4));
      f.store.replace(PODS, "team-a", "pending", aPod("pending", "gpu-2", 4, "Succeeded"));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(0));
      // A finished pod changing again, then deleted, never counts again.
      f.store.replace(PODS, "team-a", "done", aPod("done", "gpu-2", 4, "Succeeded"));
      f.store.delete(PODS, "team-a", "done");
      f.store.create(PODS, "team-c", aPod("marker", "gpu-2", 1));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(1));
    });

    it("resumes a dropped watch from the last resourceVersion it saw, without listing again", async () => {
      await start().synced;
      await connected();
      const seen = f.store.create(PODS, "team-c", aPod("serve-0", "gpu-2", 1));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(1));
      f.dropWatches(PODS);
      // Written while no watch is open: the resumed watch must replay it.
      f.store.create(PODS, "team-c", aPod("serve-1", "gpu-2", 2));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(3));
      expect(rec.watchesFrom["pods"]?.slice(1)).toContain(rvOf(seen));
      expect(rec.lists).toEqual({ nodes: 1, pods: 1 });
    });

    it("advances the resume point with bookmarks", async () => {
      await start().synced;
      await connected();
      f.store.create(NODES, "", aNode("gpu-3", 2)); // moves the store's version past every pod's
      f.store.bookmark(PODS);
      const bookmarked = f.store.resourceVersion;
      await vi.waitFor(() => expect(rec.events["pods"]).toContain("BOOKMARK"));
      f.dropWatches(PODS);
      await vi.waitFor(() => expect(rec.watchesFrom["pods"]?.at(-1)).toBe(bookmarked));
      expect(rec.lists).toEqual({ nodes: 1, pods: 1 });
    });

    it("lists again after an ERROR event with a 410 Status, removing what was deleted meanwhile", async () => {
      await start().synced;
      await connected();
      // The watch is told its version is gone; what changes before the relist is only in the list.
      f.store.endWatches(PODS, new GoneError("Expired", "too old resource version: 3 (9)"));
      f.store.delete(PODS, "team-a", "train-0");
      f.store.create(PODS, "team-c", aPod("serve-0", "gpu-2", 2));
      f.store.compact();
      await vi.waitFor(() => {
        expect(view.capacity("gpu-1")?.usedGpus).toBe(1);
        expect(view.capacity("gpu-2")?.usedGpus).toBe(2);
      });
      expect(rec.lists).toEqual({ nodes: 1, pods: 2 });
      expect((await metrics.lists.get()).values).toContainEqual(expect.objectContaining({ labels: { resource: "pods", reason: "expired" }, value: 1 }));
    });

    it("lists again when the resume version was compacted while disconnected, and converges", async () => {
      await start().synced;
      await connected();
      f.dropWatches(NODES);
      f.dropWatches(PODS);
      f.store.delete(NODES, "", "gpu-2");
      f.store.create(NODES, "", aNode("gpu-3", 2));
      f.store.delete(PODS, "team-b", "train-1");
      f.store.compact();
      await vi.waitFor(() => {
        expect(view.capacity("gpu-2")).toBeUndefined();
        expect(view.capacity("gpu-3")?.allocatableGpus).toBe(2);
        expect(view.capacity("gpu-1")?.usedGpus).toBe(2);
      });
      expect(rec.lists).toEqual({ nodes: 2, pods: 2 });
    });

    it("retries a failed list with backoff and still syncs", async () => {
      f.store.failNext("list", PODS, new KubeApiError(503, "Unknown", "etcd leader changed"));
      await start().synced;
      expect(view.capacity("gpu-1")?.usedGpus).toBe(3);
      expect((await metrics.errors.get()).values).toContainEqual(expect.objectContaining({ labels: { resource: "pods", operation: "list" }, value: 1 }));
    });

    it("skips objects it cannot read, in the list and on the watch, and keeps going", async () => {
      // A label value that is not a string: client-node's typed list keeps it as sent (it normalises some other shapes).
      f.store.create(NODES, "", { metadata: { name: "odd-node", labels: { tier: 5 } }, status: { allocatable: { "nvidia.com/gpu": "8" } } });
      await start().synced;
      await connected();
      expect(view.capacity("odd-node")).toBeUndefined();
      f.store.create(PODS, "team-c", { metadata: { name: "odd-pod" }, spec: { nodeName: "gpu-2", containers: "trainer" } });
      f.store.create(PODS, "team-c", { metadata: { name: "odd-labels", labels: { tier: 5 } }, spec: { nodeName: "gpu-2", containers: [] } });
      f.store.create(PODS, "team-c", aPod("serve-0", "gpu-2", 1));
      await vi.waitFor(() => expect(view.capacity("gpu-2")?.usedGpus).toBe(1));
      expect(await skipped()).toBeGreaterThanOrEqual(3);
    });

    it("lists again every resyncMs when asked to", async () => {
      await start({ resyncMs: 20 }).synced;
      // The recorder counts a list when it is asked for, the metric once it is applied: wait for the latter.
      await vi.waitFor(async () => expect((await metrics.lists.get()).values).toContainEqual(expect.objectContaining({ labels: { resource: "pods", reason: "resync" } })));
      expect(view.capacity("gpu-1")?.usedGpus).toBe(3);
    });

    it("stops: the watches close, and synced rejects when stopped before the first list", async () => {
      await start().synced;
      await connected();
      await sync?.stop();
      await vi.waitFor(() => expect(f.watching(PODS) + f.watching(NODES)).toBe(0));
      const early = start();
      await early.stop();
      await expect(early.synced).rejects.toThrow(/stopped before/);
    });
  });
}

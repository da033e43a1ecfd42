/**
 * The embedded ledger's memory: rows opened from the cluster view's pool pods at their real start,
 * closed when they leave, kept across restarts, and priced by the ledger source.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LEDGER_RETENTION_MS, UsageLedger } from "../../../extender/spend/index.js";
import { LedgerSpendSource } from "../../../extender/spend/sources/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { ClusterView, type PodObject } from "../../../platform/kube/clusterView.js";
import type { Wait } from "../../../platform/kube/leader.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";

const silent = createLogger({ level: "silent" });
const HOUR = 3_600_000;
const JUNE_10 = Date.UTC(2025, 5, 10);

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function node(name: string, pool?: string) {
  return { metadata: { name, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", ...(pool && { "gpu-steward.io/pool": pool }) } }, status: { allocatable: { "nvidia.com/gpu": "8" } } };
}

function pod(uid: string, nodeName: string, gpus: number, startMs?: number, phase = "Running"): PodObject {
  return {
    metadata: { name: uid, namespace: "team-a", uid },
    spec: { nodeName, containers: [{ resources: { limits: { "nvidia.com/gpu": String(gpus) } } }] },
    status: { phase, ...(startMs !== undefined && { startTime: new Date(startMs).toISOString() }) },
  };
}

function fixture(path?: string) {
  const dir = mkdtempSync(join(tmpdir(), "steward-ledger-"));
  dirs.push(dir);
  const file = path ?? join(dir, "steward.db");
  const store = openStore(file, silent);
  stores.push(store);
  const clock = new ManualClock(JUNE_10 + 12 * HOUR);
  const view = new ClusterView();
  view.upsertNode(node("pool-a", "credits"));
  view.upsertNode(node("on-demand-a"));
  let synced = true;
  const ledger = new UsageLedger({ db: store.db, view, pool: "credits", isSynced: () => synced, clock, log: silent });
  return { file, store, clock, view, ledger, setSynced: (v: boolean) => (synced = v) };
}

describe("spend ledger usages", () => {
  it("records pool pods from their start, ignores other nodes, and closes a pod when it leaves", async () => {
    const f = fixture();
    f.view.upsertPod(pod("train-1", "pool-a", 4, JUNE_10 + 10 * HOUR));
    f.view.upsertPod(pod("train-2", "on-demand-a", 8, JUNE_10 + 10 * HOUR));
    expect(f.ledger.reconcile()).toEqual({ opened: 1, closed: 0, running: 1 });
    expect(f.ledger.reconcile()).toEqual({ opened: 0, closed: 0, running: 1 });
    f.clock.advance(2 * HOUR);
    f.view.upsertPod(pod("train-1", "pool-a", 4, JUNE_10 + 10 * HOUR, "Succeeded"));
    expect(f.ledger.reconcile()).toEqual({ opened: 0, closed: 1, running: 0 });
    expect((await f.ledger.usages())).toEqual([{ gpus: 4, pool: "credits", startMs: JUNE_10 + 10 * HOUR, endMs: JUNE_10 + 14 * HOUR }]);
  });

  it("is priced by the ledger source: GPU-hours on the pool times the price", async () => {
    const f = fixture();
    f.view.upsertPod(pod("train-1", "pool-a", 4, JUNE_10 + 10 * HOUR)); // 4 GPUs from 10:00
    f.ledger.reconcile();
    f.clock.advance(HOUR); // 13:00: 3 h × 4 GPUs = 12 GPU-hours
    const source = new LedgerSpendSource({ usages: () => f.ledger.usages(), prices: { credits: 2.5 } });
    const figures = await source.read(f.clock.nowMs());
    expect(figures.monthToDateUsd).toBeCloseTo(12 * 2.5, 6);
    // The last day: 3 h of 4 GPUs, as a daily rate.
    expect(figures.dailyRateUsd).toBeCloseTo(12 * 2.5, 6);
  });

  it("takes no sample and gives no figures before the view is synced (an empty view would close every row)", async () => {
    const f = fixture();
    f.view.upsertPod(pod("train-1", "pool-a", 2, JUNE_10));
    f.ledger.reconcile();
    f.setSynced(false);
    f.view.deletePod(pod("train-1", "pool-a", 2, JUNE_10));
    expect(f.ledger.reconcile()).toBeUndefined();
    await expect(f.ledger.usages()).rejects.toMatchObject({ code: "SPEND_SOURCE", message: expect.stringMatching(/has not listed/) });
    expect(f.store.db.prepare("SELECT end_ms FROM gpu_usages").all()).toEqual([{ end_ms: null }]);
  });

  it("a read waits for the first list, then prices what the view holds", async () => {
    const f = fixture();
    let synced = false;
    let markSynced!: () => void;
    const first = new Promise<void>((resolve) => (markSynced = resolve));
    const ledger = new UsageLedger({ db: f.store.db, view: f.view, pool: "credits", isSynced: () => synced, whenSynced: () => first, clock: f.clock, log: silent });
    const read = ledger.usages();
    f.view.upsertPod(pod("train-1", "pool-a", 2, JUNE_10));
    synced = true;
    markSynced();
    expect(await read).toEqual([{ gpus: 2, pool: "credits", startMs: JUNE_10, endMs: null }]);
    // A list that never comes: the read gives up after syncWaitMs.
    const stuck = new UsageLedger({ db: f.store.db, view: f.view, pool: "credits", isSynced: () => false, whenSynced: () => new Promise(() => undefined), syncWaitMs: 10, clock: f.clock, log: silent });
    await expect(stuck.usages()).rejects.toMatchObject({ code: "SPEND_SOURCE" });
  });

  it("keeps its rows across a restart; a pod gone meanwhile is closed when the new view has synced", async () => {
    const first = fixture();
    first.view.upsertPod(pod("stays", "pool-a", 1, JUNE_10 + HOUR));
    first.view.upsertPod(pod("goes", "pool-a", 2, JUNE_10 + HOUR));
    first.ledger.reconcile();
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);

    const again = fixture(first.file);
    again.clock.set(JUNE_10 + 20 * HOUR);
    again.setSynced(false);
    expect(again.ledger.reconcile()).toBeUndefined();
    again.setSynced(true);
    again.view.upsertPod(pod("stays", "pool-a", 1, JUNE_10 + HOUR));
    expect(again.ledger.reconcile()).toEqual({ opened: 0, closed: 1, running: 1 });
    expect((await again.ledger.usages()).sort((a, b) => a.gpus - b.gpus)).toEqual([
      { gpus: 1, pool: "credits", startMs: JUNE_10 + HOUR, endMs: null },
      { gpus: 2, pool: "credits", startMs: JUNE_10 + HOUR, endMs: JUNE_10 + 20 * HOUR },
    ]);
  });

  it("counts a pod from now when the kubelet has not reported a start, or reports one in the future", async () => {
    const f = fixture();
    f.view.upsertPod(pod("no-start", "pool-a", 1));
    f.view.upsertPod(pod("future", "pool-a", 1, f.clock.nowMs() + HOUR));
    f.ledger.reconcile();
    expect((await f.ledger.usages()).map((u) => u.startMs)).toEqual([f.clock.nowMs(), f.clock.nowMs()]);
  });

  it("reopens a pod that comes back (the gap counts as used) and prunes rows older than the retention", async () => {
    const f = fixture();
    f.view.upsertPod(pod("flaky", "pool-a", 1, JUNE_10));
    f.ledger.reconcile();
    f.view.deletePod(pod("flaky", "pool-a", 1, JUNE_10));
    f.clock.advance(HOUR);
    f.ledger.reconcile();
    f.view.upsertPod(pod("flaky", "pool-a", 1, JUNE_10));
    f.clock.advance(HOUR);
    expect(f.ledger.reconcile()).toEqual({ opened: 1, closed: 0, running: 1 });
    expect((await f.ledger.usages())).toEqual([{ gpus: 1, pool: "credits", startMs: JUNE_10, endMs: null }]);

    f.view.deletePod(pod("flaky", "pool-a", 1, JUNE_10));
    f.ledger.reconcile();
    f.clock.advance(LEDGER_RETENTION_MS + HOUR);
    f.ledger.reconcile();
    expect(f.store.db.prepare("SELECT COUNT(*) AS n FROM gpu_usages").get()).toEqual({ n: 0 });
  });

  it("run() samples every period until aborted", async () => {
    const f = fixture();
    f.view.upsertPod(pod("train-1", "pool-a", 8, JUNE_10));
    const stop = new AbortController();
    let samples = 0;
    const wait: Wait = async () => {
      samples++;
      if (samples === 1) f.view.deletePod(pod("train-1", "pool-a", 8, JUNE_10));
      if (samples === 2) stop.abort();
    };
    const ledger = new UsageLedger({ db: f.store.db, view: f.view, pool: "credits", isSynced: () => true, clock: f.clock, log: silent, wait });
    await ledger.run(stop.signal);
    expect(samples).toBe(2);
    expect((await ledger.usages())[0]?.endMs).toBe(f.clock.nowMs());
  });
});

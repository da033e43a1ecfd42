/**
 * Shared state between replicas: the leader publishes its learned model and spend record to a
 * ConfigMap; followers adopt them durably; a replica taking over keeps learning it has that is newer.
 * Each replica has its own SQLite file, as in the chart; the ConfigMap lives in the in-memory API.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { openScoringState, type ScoringState } from "../../../extender/scoring/index.js";
import { SHARED_STATE_KEY, SharedState, SharedStateMetrics } from "../../../extender/sharedState/index.js";
import { SpendLoop, SqliteSpendStates } from "../../../extender/spend/index.js";
import { FixedSpendSource } from "../../../extender/spend/sources/index.js";
import { ManualClock } from "../../../platform/clock.js";
import { KubeApiError } from "../../../platform/kube/errors.js";
import { memoryAdapters } from "../../../platform/kube/memory.js";
import { MemoryObjectStore } from "../../../platform/kube/memoryStore.js";
import type { ConfigMaps } from "../../../platform/kube/ports.js";
import { createLogger } from "../../../platform/log.js";
import { openStore, type Store } from "../../../platform/store/index.js";
import { BEHIND, JUNE_16_NOON_MS, SPEND_CONFIG, metricValue } from "../spend/loopHarness.js";

const NAMESPACE = "gpu-steward";
const CONFIG_MAP = "gpu-steward-state";
const silent = createLogger({ level: "silent" });

interface Replica {
  name: string;
  clock: ManualClock;
  store: Store;
  scoring: ScoringState;
  spendStates: SqliteSpendStates;
  shared: SharedState;
  registry: Registry;
  logs: Array<Record<string, unknown>>;
  /** Closes and reopens the database: what a restart finds. */
  reopened(): ScoringState;
}

const dirs: string[] = [];
const open: Array<() => void> = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function replica(name: string, configMaps: Pick<ConfigMaps, "get" | "apply">, clock = new ManualClock(JUNE_16_NOON_MS)): Replica {
  const dir = mkdtempSync(join(tmpdir(), "steward-shared-"));
  dirs.push(dir);
  const path = join(dir, "steward.db");
  const store = openStore(path, silent);
  const scoring = openScoringState(store.db, clock, silent, { timer: false });
  open.push(() => {
    scoring.close();
    store.close();
  });
  const spendStates = new SqliteSpendStates(store.db);
  const registry = new Registry();
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const shared = new SharedState({
    configMaps,
    namespace: NAMESPACE,
    identity: name,
    model: scoring.model,
    scoring: scoring.store,
    spend: { pool: "credits", states: spendStates },
    clock,
    log,
    metrics: new SharedStateMetrics(registry),
  });
  return {
    name,
    clock,
    store,
    scoring,
    spendStates,
    shared,
    registry,
    logs,
    reopened() {
      scoring.close();
      store.close();
      const again = openStore(path, silent);
      const state = openScoringState(again.db, clock, silent, { timer: false });
      open.push(() => {
        state.close();
        again.close();
      });
      return state;
    },
  };
}

function cluster() {
  const objects = new MemoryObjectStore();
  const ports = memoryAdapters(silent, new ManualClock(JUNE_16_NOON_MS), { podName: "test" }, { store: objects });
  return { ports, configMaps: ports.configMaps };
}

const observation = (runtimeS: number, jobType = "llama-7b-lora") => ({ jobType, gpuType: "NVIDIA-A100-SXM4-80GB", runtimeS, colocatedJobTypes: [] });

async function decideSpend(r: Replica): Promise<void> {
  const loop = new SpendLoop({ pool: "credits", baselinePct: 35, spend: SPEND_CONFIG, periodMs: 3_600_000 }, { source: new FixedSpendSource(BEHIND), states: r.spendStates, clock: r.clock, log: silent });
  const cycle = await loop.step();
  expect(cycle.kind).toBe("decided");
}

describe("shared state", () => {
  it("a follower adopts the leader's model and spend record, durably", async () => {
    const { configMaps } = cluster();
    const a = replica("steward-a", configMaps);
    const b = replica("steward-b", configMaps);
    a.scoring.store.observe(observation(1200));
    a.clock.advance(1000);
    a.scoring.store.observe(observation(1300));
    await decideSpend(a);

    expect(await a.shared.publish()).toBe("written");
    const data = await configMaps.get(NAMESPACE, CONFIG_MAP);
    const doc = JSON.parse(data![SHARED_STATE_KEY]!) as { publishedBy: string; model: { stats: unknown[] }; spend: unknown[] };
    expect(doc.publishedBy).toBe("steward-a");
    expect(doc.model.stats).toHaveLength(1);
    expect(doc.spend).toHaveLength(1);

    expect(b.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB")).toBeUndefined();
    expect(await b.shared.load("follow")).toBe("adopted");
    expect(b.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB")).toEqual(a.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB"));
    expect(b.spendStates.load("credits")).toEqual(a.spendStates.load("credits"));
    // Durable: a restart of the follower finds the adopted model in its own database.
    const restarted = b.reopened();
    expect(restarted.model.snapshot()).toEqual(a.scoring.model.snapshot());
    expect(await metricValue(b.registry, "gpu_steward_shared_state_operations_total", { operation: "load", result: "adopted" })).toBe(1);
  });

  it("does not write an unchanged state again, and a follower does not re-read the same document", async () => {
    const { configMaps, ports } = cluster();
    const a = replica("steward-a", configMaps);
    const b = replica("steward-b", configMaps);
    a.scoring.store.observe(observation(900));
    expect(await a.shared.publish()).toBe("written");
    const version = (ports.store.get({ group: "", version: "v1", plural: "configmaps" }, NAMESPACE, CONFIG_MAP)?.["metadata"] as { resourceVersion: string }).resourceVersion;
    a.clock.advance(30_000);
    expect(await a.shared.publish()).toBe("unchanged");
    expect((ports.store.get({ group: "", version: "v1", plural: "configmaps" }, NAMESPACE, CONFIG_MAP)?.["metadata"] as { resourceVersion: string }).resourceVersion).toBe(version);
    expect(await b.shared.load("follow")).toBe("adopted");
    expect(await b.shared.load("follow")).toBe("current");
    a.scoring.store.observe(observation(950));
    expect(await a.shared.publish()).toBe("written");
    expect(await b.shared.load("follow")).toBe("adopted");
    expect(b.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB")?.count).toBe(2);
  });

  it("on takeover keeps its own model when it learned later than the published one", async () => {
    const { configMaps } = cluster();
    const clock = new ManualClock(JUNE_16_NOON_MS);
    const a = replica("steward-a", configMaps, clock);
    const b = replica("steward-b", configMaps, clock);
    a.scoring.store.observe(observation(1000));
    await a.shared.publish();
    clock.advance(60_000);
    // b led before, learned this and restarted before publishing it.
    b.scoring.store.observe(observation(5000, "mistral-7b-full"));
    expect(await b.shared.load("takeover")).toBe("current");
    expect(b.scoring.model.statsOf("mistral-7b-full", "NVIDIA-A100-SXM4-80GB")).toBeDefined();
    expect(b.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB")).toBeUndefined();
    // And adopts one that is newer than its own.
    clock.advance(60_000);
    a.scoring.store.observe(observation(1100));
    await a.shared.publish();
    expect(await b.shared.load("takeover")).toBe("adopted");
    expect(b.scoring.model.statsOf("llama-7b-lora", "NVIDIA-A100-SXM4-80GB")?.count).toBe(2);
  });

  it("takes a spend record only when it is newer than the stored one", async () => {
    const { configMaps } = cluster();
    const a = replica("steward-a", configMaps);
    const b = replica("steward-b", configMaps);
    await decideSpend(a);
    await a.shared.publish();
    b.clock.advance(3_600_000);
    await decideSpend(b); // b decided later (it led after a)
    const ours = b.spendStates.load("credits");
    expect(await b.shared.load("follow")).toBe("adopted"); // the model (empty, as new as ours) only
    expect(b.spendStates.load("credits")).toEqual(ours);
  });

  it("refuses a document it cannot trust, names the field and keeps what it has", async () => {
    const { configMaps } = cluster();
    const b = replica("steward-b", configMaps);
    b.scoring.store.observe(observation(700));
    const before = b.scoring.model.snapshot();
    const publish = (text: string) => configMaps.apply(NAMESPACE, CONFIG_MAP, { [SHARED_STATE_KEY]: text });

    await publish("{not json");
    expect(await b.shared.load("follow")).toBe("invalid");
    await publish(JSON.stringify({ schemaVersion: 2, publishedBy: "x", publishedAtMs: 1, model: {}, spend: [] }));
    expect(await b.shared.load("follow")).toBe("invalid");
    expect(b.logs.at(-1)).toMatchObject({ code: "SHARED_STATE", field: expect.stringContaining("schemaVersion") });
    const badModel = { schemaVersion: 1, stats: [{ jobType: "j", gpuType: "g", meanRuntimeS: 10, variance: -1, count: 1, lastUpdatedMs: JUNE_16_NOON_MS * 2 }], interference: [] };
    await publish(JSON.stringify({ schemaVersion: 1, publishedBy: "x", publishedAtMs: 2, model: badModel, spend: [{ pool: "credits" }] }));
    expect(await b.shared.load("follow")).toBe("invalid");
    const fields = b.logs.filter((l) => l["code"] === "SHARED_STATE").map((l) => l["field"]);
    expect(fields).toContain("snapshot.stats.0.variance");
    expect(fields).toContain("spend.0");
    expect(b.scoring.model.snapshot()).toEqual(before);
    expect(b.spendStates.load("credits")).toBeUndefined();
    await configMaps.apply(NAMESPACE, CONFIG_MAP, { other: "x" });
    expect(await b.shared.load("follow")).toBe("invalid");
    expect(await metricValue(b.registry, "gpu_steward_shared_state_operations_total", { operation: "load", result: "invalid" })).toBe(4);
  });

  it("counts a missing ConfigMap and API errors, and retries a failed write", async () => {
    const { configMaps } = cluster();
    let failApply = true;
    let failGet = true;
    const flaky: Pick<ConfigMaps, "get" | "apply"> = {
      get: (ns, name) => (failGet ? Promise.reject(new KubeApiError(403, "Forbidden", "configmaps is forbidden")) : configMaps.get(ns, name)),
      apply: (ns, name, data, labels) => (failApply ? Promise.reject(new KubeApiError(500, "InternalError", "etcd timeout")) : configMaps.apply(ns, name, data, labels)),
    };
    const a = replica("steward-a", flaky);
    expect(await a.shared.load("follow")).toBe("error");
    failGet = false;
    expect(await a.shared.load("follow")).toBe("missing");
    a.scoring.store.observe(observation(800));
    expect(await a.shared.publish()).toBe("error");
    failApply = false;
    expect(await a.shared.publish()).toBe("written");
    expect(await a.shared.publish()).toBe("unchanged");
    expect(a.logs.filter((l) => l["code"] === "SHARED_STATE")).toHaveLength(2);
  });

  it("does not publish a document over the ConfigMap limit", async () => {
    const { configMaps } = cluster();
    const a = replica("steward-a", configMaps);
    // 1,000 pairs (the default retention) with 1 KB job types: about 1.1 MB of JSON.
    const long = "x".repeat(1000);
    for (let i = 0; i < 1000; i++) a.scoring.store.observe(observation(100 + i, `${long}-${i}`));
    expect(await a.shared.publish()).toBe("too-large");
    expect(await configMaps.get(NAMESPACE, CONFIG_MAP)).toBeUndefined();
    expect(a.logs.at(-1)).toMatchObject({ code: "SHARED_STATE", level: "error" });
  });

  it("lead() adopts, publishes every interval and lets observations in only while it leads", async () => {
    const { configMaps } = cluster();
    const a = replica("steward-a", configMaps);
    const b = replica("steward-b", configMaps);
    b.scoring.store.observe(observation(1500));
    await b.shared.publish(); // b led before a
    expect(a.shared.observeRefusal()).toMatch(/does not lead/);

    const leadership = new AbortController();
    let waits = 0;
    const refusalsWhileLeading: Array<string | undefined> = [];
    const leading = new SharedState({
      configMaps,
      namespace: NAMESPACE,
      identity: "steward-a",
      model: a.scoring.model,
      scoring: a.scoring.store,
      clock: a.clock,
      log: silent,
      wait: async () => {
        waits++;
        refusalsWhileLeading.push(leading.observeRefusal());
        a.scoring.store.observe(observation(1600 + waits));
        if (waits === 2) leadership.abort();
      },
    });
    await leading.lead({ signal: leadership.signal });
    expect(refusalsWhileLeading).toEqual([undefined, undefined]);
    expect(leading.leading).toBe(false);
    expect(leading.observeRefusal()).toBeDefined();
    // Took b's model at takeover, then published its own learning on top.
    const doc = JSON.parse((await configMaps.get(NAMESPACE, CONFIG_MAP))![SHARED_STATE_KEY]!) as { publishedBy: string; model: { stats: Array<{ count: number }> } };
    expect(doc.publishedBy).toBe("steward-a");
    expect(doc.model.stats[0]!.count).toBe(2);
  });
});

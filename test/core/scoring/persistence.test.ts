import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  MemoryModelStore,
  ScoringInputError,
  ScoringModel,
  parseModelSnapshot,
  type ModelSnapshot,
} from "../../../core/scoring/index.js";

const GPU = "A100-80GB";

function trained(): ScoringModel {
  const m = new ScoringModel({ gammaInterference: 1 });
  [5, 5.5, 4.5].forEach((runtimeS, i) => m.observe({ jobType: "bert", gpuType: GPU, runtimeS }, 1000 + i));
  m.observe({ jobType: "bert", gpuType: "L4-24GB", runtimeS: 9 }, 2000);
  m.observe({ jobType: "bert", gpuType: GPU, runtimeS: 8, colocatedJobTypes: ["hog"] }, 3000);
  m.observe({ jobType: "bert", gpuType: GPU, runtimeS: 4, colocatedJobTypes: ["fast-friend"] }, 4000); // slowdown 0
  return m;
}

describe("model snapshots", () => {
  it("hold the stats with their times and only the positive slowdowns", () => {
    const snap = trained().snapshot();
    expect(snap.schemaVersion).toBe(1);
    expect(snap.stats.map((s) => [s.jobType, s.gpuType, s.count, s.lastUpdatedMs])).toEqual([
      ["bert", GPU, 3, 1002],
      ["bert", "L4-24GB", 1, 2000],
    ]);
    expect(snap.interference).toEqual([{ jobType: "bert", coJobType: "hog", slowdown: expect.any(Number) }]);
  });

  it("survive JSON and rebuild a model that scores identically", () => {
    const m = trained();
    const copy = ScoringModel.fromSnapshot(JSON.parse(JSON.stringify(m.snapshot())), m.config);
    const request = { jobType: "bert", candidateGpuTypes: [GPU, "L4-24GB", "T4"], colocatedJobTypes: ["hog"] };
    expect(copy.score(request)).toEqual(m.score(request));
    expect(copy.snapshot()).toEqual(m.snapshot());
  });

  it("are adopted in place: the same instance now scores as the snapshot's model, and a bad one changes nothing", () => {
    const shared = new ScoringModel({ gammaInterference: 1 });
    shared.observe({ jobType: "gpt", gpuType: "T4", runtimeS: 30 }, 500);
    shared.score({ jobType: "gpt", candidateGpuTypes: ["T4"] });
    const leader = trained();
    shared.adopt(JSON.parse(JSON.stringify(leader.snapshot())));
    expect(shared.snapshot()).toEqual(leader.snapshot());
    expect(shared.statsOf("gpt", "T4")).toBeUndefined();
    expect(shared.metrics().decisionsTotal).toBe(1); // per process, kept
    const before = shared.snapshot();
    const bad = { ...before, stats: [{ ...before.stats[0]!, count: 0 }] };
    expect(() => shared.adopt(bad)).toThrow(ScoringInputError);
    expect(shared.snapshot()).toEqual(before);
  });

  it("do not carry the decision counters: a rebuilt model starts its exploration ratio afresh", () => {
    const m = trained();
    m.score({ jobType: "bert", candidateGpuTypes: [GPU] });
    expect(ScoringModel.fromSnapshot(m.snapshot()).metrics().decisionsTotal).toBe(0);
  });

  it("round-trip through JSON for any learning history", () => {
    const jobs = fc.constantFrom("a", "b", "c");
    const obs = fc.record({
      jobType: jobs,
      gpuType: fc.constantFrom("A100-80GB", "L4-24GB"),
      runtimeS: fc.double({ min: 0, max: 1e4, noNaN: true }),
      colocatedJobTypes: fc.array(jobs, { maxLength: 2 }),
      nowMs: fc.integer({ min: 0, max: 1e12 }),
    });
    fc.assert(
      fc.property(fc.array(obs, { maxLength: 40 }), (history) => {
        const m = new ScoringModel({ retentionPairs: 4 });
        for (const { nowMs, ...o } of history) m.observe(o, nowMs);
        const copy = ScoringModel.fromSnapshot(JSON.parse(JSON.stringify(m.snapshot())));
        expect(copy.snapshot()).toEqual(m.snapshot());
      }),
      { seed: 29 },
    );
  });
});

describe("MemoryModelStore", () => {
  it("is empty until saved, and a second model on the same store sees the last checkpoint", async () => {
    const store = new MemoryModelStore();
    expect(await store.load()).toBeUndefined();
    const m = trained();
    await store.save(m.snapshot());
    const other = ScoringModel.fromSnapshot(await store.load(), m.config);
    expect(other.estimate("bert", GPU)).toEqual(m.estimate("bert", GPU));
  });

  it("keeps its own copy: changing a saved or loaded snapshot does not change the store", async () => {
    const store = new MemoryModelStore();
    const snap = trained().snapshot();
    await store.save(snap);
    snap.stats[0]!.count = 999;
    const loaded = (await store.load())!;
    expect(loaded.stats[0]!.count).toBe(3);
    loaded.stats[0]!.count = 777;
    expect((await store.load())!.stats[0]!.count).toBe(3);
  });
});

describe("retention", () => {
  it("drops the least recently updated pairs beyond the limit; equal times go in insertion order", () => {
    const m = new ScoringModel({ retentionPairs: 2 });
    m.observe({ jobType: "a", gpuType: GPU, runtimeS: 1 }, 10);
    m.observe({ jobType: "b", gpuType: GPU, runtimeS: 1 }, 10);
    m.observe({ jobType: "a", gpuType: GPU, runtimeS: 1 }, 20); // refreshes a
    const outcome = m.observe({ jobType: "c", gpuType: GPU, runtimeS: 1 }, 20);
    expect(outcome.evicted).toEqual([["b", GPU]]);
    expect(m.snapshot().stats.map((s) => s.jobType)).toEqual(["a", "c"]);

    const tie = new ScoringModel({ retentionPairs: 1 });
    tie.observe({ jobType: "first", gpuType: GPU, runtimeS: 1 }, 5);
    expect(tie.observe({ jobType: "second", gpuType: GPU, runtimeS: 1 }, 5).evicted).toEqual([["first", GPU]]);
  });

  it("forgets an evicted pair back to the prior but keeps its interference", () => {
    const m = new ScoringModel({ retentionPairs: 1 });
    m.observe({ jobType: "a", gpuType: GPU, runtimeS: 10 }, 0);
    m.observe({ jobType: "a", gpuType: GPU, runtimeS: 20, colocatedJobTypes: ["hog"] }, 1);
    m.observe({ jobType: "b", gpuType: GPU, runtimeS: 1 }, 2);
    expect(m.statsOf("a", GPU)).toBeUndefined();
    expect(m.interferencePenalty("a", ["hog"])).toBeGreaterThan(0);
  });
});

describe("snapshot validation", () => {
  const good = (): ModelSnapshot => trained().snapshot();
  it.each<[string, (s: ModelSnapshot) => unknown, string]>([
    ["not an object", () => "nope", "snapshot"],
    ["an unknown schema version", (s) => ({ ...s, schemaVersion: 2 }), "snapshot.schemaVersion"],
    ["a zero variance", (s) => (s.stats[1]!.variance = 0, s), "snapshot.stats.1.variance"],
    ["a NaN mean", (s) => (s.stats[0]!.meanRuntimeS = Number.NaN, s), "snapshot.stats.0.meanRuntimeS"],
    ["a fractional count", (s) => (s.stats[0]!.count = 1.5, s), "snapshot.stats.0.count"],
    ["an empty job type", (s) => (s.stats[0]!.jobType = "", s), "snapshot.stats.0.jobType"],
    ["a negative slowdown", (s) => (s.interference[0]!.slowdown = -1, s), "snapshot.interference.0.slowdown"],
    ["a pair listed twice", (s) => ({ ...s, stats: [...s.stats, s.stats[0]!] }), "snapshot.stats.2"],
  ])("rejects %s, naming the field", (_name, corrupt, field) => {
    const bad = corrupt(good());
    expect(() => parseModelSnapshot(bad)).toThrow(ScoringInputError);
    let thrown: unknown;
    try {
      ScoringModel.fromSnapshot(bad);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ScoringInputError);
    expect((thrown as ScoringInputError).field).toBe(field);
  });
});

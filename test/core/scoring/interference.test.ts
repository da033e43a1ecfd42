import { describe, expect, it } from "vitest";
import { AVOID_SLOWDOWN_THRESHOLD, MemoryModelStore, ScoringModel } from "../../../core/scoring/index.js";
import { expectClose, expectTermsClose, schedulerVectors as v } from "./seedVectors.js";

const GPU = "A100-80GB";
/** The seed's interference tests weigh the penalty fully (γ = 1). */
const interferenceModel = (): ScoringModel => new ScoringModel({ enableInterference: true, gammaInterference: 1 });

/** Solo runs then co-located runs, with a clock that ticks one second per observation. */
function feed(m: ScoringModel, jobType: string, runs: { runtimeS: number; with?: string[] }[], startMs = 0): number {
  runs.forEach((r, i) => m.observe({ jobType, gpuType: GPU, runtimeS: r.runtimeS, colocatedJobTypes: r.with ?? [] }, startMs + i * 1000));
  return startMs + runs.length * 1000;
}
const solo = (...runtimes: number[]) => runtimes.map((runtimeS) => ({ runtimeS }));
const beside = (co: string, ...runtimes: number[]) => runtimes.map((runtimeS) => ({ runtimeS, with: [co] }));
const times = (n: number, x: number): number[] => new Array<number>(n).fill(x);

describe("interference learning (reconciled: slowdown against the solo baseline)", () => {
  it("learns about a 50 % slowdown as a penalty between 0.1 and 1", () => {
    const m = interferenceModel();
    feed(m, "train-bert", [...solo(10.0, 10.2, 9.8, 10.1, 9.9), ...beside("train-llama", 15.0, 15.5, 14.8, 15.2, 14.9)]);
    const penalty = m.interferencePenalty("train-bert", ["train-llama"]);
    expectClose(penalty, v.reconciled_interf_basic, 1e-12);
    expect(penalty).toBeGreaterThan(0.1);
    expect(penalty).toBeLessThan(1);
  });

  it("co-located runs leave the solo stats alone", () => {
    const m = interferenceModel();
    feed(m, "train-bert", solo(10, 10, 10));
    const before = m.statsOf("train-bert", GPU);
    const outcome = m.observe({ jobType: "train-bert", gpuType: GPU, runtimeS: 20, colocatedJobTypes: ["hog"] }, 99_000);
    expect(outcome.learned).toBe("interference");
    expect(m.statsOf("train-bert", GPU)).toEqual(before);
  });

  it("a co-located run with no solo baseline seeds the stats and teaches no interference", () => {
    const m = interferenceModel();
    const outcome = m.observe({ jobType: "fresh", gpuType: GPU, runtimeS: 12, colocatedJobTypes: ["hog"] }, 0);
    expect(outcome.learned).toBe("runtime");
    expect(m.statsOf("fresh", GPU)?.meanRuntimeS).toBe(12);
    expect(m.metrics().interferencePairs).toBe(0);
  });

  it("a learned slowdown shows in the terms and the avoid list, yet A100 still wins here", () => {
    const m = interferenceModel();
    m.observe({ jobType: "sensitive-job", gpuType: GPU, runtimeS: 5 }, 0);
    m.observe({ jobType: "sensitive-job", gpuType: "L4-24GB", runtimeS: 8 }, 0);
    const clean = m.score({ jobType: "sensitive-job", candidateGpuTypes: [GPU, "L4-24GB"], colocatedJobTypes: [] });
    expect(clean.chosenGpu).toBe(v.reconciled_affects_scoring.clean[0]);
    expectTermsClose(clean.terms, v.reconciled_affects_scoring.clean[2], 1e-12);

    feed(m, "sensitive-job", beside("resource-hog", 12.0, 11.8, 12.2), 1000);
    const hit = m.score({ jobType: "sensitive-job", candidateGpuTypes: [GPU, "L4-24GB"], colocatedJobTypes: ["resource-hog"] });
    const [chosen, priority, terms, avoid] = v.reconciled_affects_scoring.interfered;
    expect(hit.chosenGpu).toBe(chosen);
    expect(hit.priorityScore).toBe(priority);
    expectTermsClose(hit.terms, terms, 1e-12);
    expect(hit.terms.penalty).toBeGreaterThan(0);
    expect(hit.avoidCoLocateWith).toEqual(avoid);
  });

  it("orders learned pairs by their slowdown: gpt beside clip (50 %) > bert beside gpt (30 %) > bert beside clip (10 %)", () => {
    const m = interferenceModel();
    let t = 0;
    for (const [job, co, slowdown] of [
      ["train-bert", "train-gpt", 0.3],
      ["train-bert", "inference-clip", 0.1],
      ["train-gpt", "inference-clip", 0.5],
    ] as const) {
      t = feed(m, job, [...solo(...times(5, 10)), ...beside(co, ...times(10, 10 * (1 + slowdown)))], t);
    }
    const p12 = m.interferencePenalty("train-bert", ["train-gpt"]);
    const p13 = m.interferencePenalty("train-bert", ["inference-clip"]);
    const p23 = m.interferencePenalty("train-gpt", ["inference-clip"]);
    expect(p23).toBeGreaterThan(p12);
    expect(p12).toBeGreaterThan(p13);
    const decay = 1 - 0.9 ** 10; // ten EMA steps from 0 toward the true slowdown
    expectClose(p23, 0.5 * decay, 1e-12);
    expectClose(p12, 0.3 * decay, 1e-12);
    expectClose(p13, 0.1 * decay, 1e-9);
  });

  it("recommends keeping away from every neighbour that slowed the job by more than 10 %", () => {
    const m = interferenceModel();
    let t = 0;
    for (const hog of ["memory-hog", "cpu-intensive"]) t = feed(m, "anti-affinity-test", [...solo(5, 5, 5), ...beside(hog, ...times(10, 8))], t);
    for (const [hog, want] of Object.entries(v.reconciled_interf_antiaff)) {
      expectClose(m.interferencePenalty("anti-affinity-test", [hog]), want, 1e-12);
    }
    const d = m.score({ jobType: "anti-affinity-test", candidateGpuTypes: [GPU], colocatedJobTypes: ["memory-hog", "cpu-intensive"] });
    expect(d.avoidCoLocateWith).toEqual(v.reconciled_interf_antiaff_score.avoid);
    expectTermsClose(d.terms, v.reconciled_interf_antiaff_score.terms, 1e-12);
  });

  it("with interference disabled, co-located runs teach nothing and scores carry no penalty or avoid list", () => {
    const m = new ScoringModel({ enableInterference: false });
    for (let i = 0; i < 10; i++) {
      m.observe({ jobType: "quiet", gpuType: GPU, runtimeS: 5 }, i);
      m.observe({ jobType: "quiet", gpuType: GPU, runtimeS: 10, colocatedJobTypes: ["other-job"] }, i);
    }
    expect(m.interferencePenalty("quiet", ["other-job"])).toBe(0);
    const d = m.score({ jobType: "quiet", candidateGpuTypes: [GPU], colocatedJobTypes: ["other-job"] });
    expect(d.terms.penalty).toBe(0);
    expect(d.avoidCoLocateWith).toEqual([]);
    expect(m.statsOf("quiet", GPU)?.count).toBe(20); // the co-located runs went into the stats instead
  });

  it("several neighbours average their slowdowns: above the single one, below their sum", () => {
    const m = interferenceModel();
    let t = 0;
    const slowdowns = { "job-a": 0.1, "job-b": 0.2, "job-c": 0.15 };
    for (const [co, s] of Object.entries(slowdowns)) t = feed(m, "multi", [...solo(10, 10, 10), ...beside(co, ...times(10, 10 * (1 + s)))], t);
    const single = m.interferencePenalty("multi", ["job-a"]);
    const multi = m.interferencePenalty("multi", Object.keys(slowdowns));
    expectClose(single, v.reconciled_interf_multi.single, 1e-9);
    expectClose(multi, v.reconciled_interf_multi.multi, 1e-9);
    expect(multi).toBeGreaterThan(single);
    expect(multi).toBeLessThanOrEqual(0.1 + 0.2 + 0.15);
  });

  it("survives a checkpoint: a model rebuilt from the store sees the same penalty", async () => {
    const store = new MemoryModelStore();
    const m = interferenceModel();
    feed(m, "persistence-test", [...solo(...times(5, 5)), ...beside("persistent-interferer", ...times(10, 8))]);
    const before = m.interferencePenalty("persistence-test", ["persistent-interferer"]);
    expect(before).toBeGreaterThan(0);
    await store.save(m.snapshot());
    const reloaded = ScoringModel.fromSnapshot(await store.load(), m.config);
    expect(reloaded.interferencePenalty("persistence-test", ["persistent-interferer"])).toBe(before);
  });

  it("the penalty is the same on every GPU type (keyed by job types only)", () => {
    const m = interferenceModel();
    feed(m, "j", [...solo(10, 10), ...beside("hog", 20)]);
    const d = m.score({ jobType: "j", candidateGpuTypes: [GPU, "L4-24GB"], colocatedJobTypes: ["hog"] });
    expect(d.candidates[0]!.penalty).toBe(d.candidates[1]!.penalty);
  });

  it("avoid list keeps request order and repeats, and uses a strict 10 % threshold", () => {
    const m = interferenceModel();
    feed(m, "j", solo(10));
    // One sample of slowdown 1.0 gives I = 0.1, exactly the threshold: not avoided.
    m.observe({ jobType: "j", gpuType: GPU, runtimeS: 20, colocatedJobTypes: ["edge"] }, 1);
    m.observe({ jobType: "j", gpuType: GPU, runtimeS: 30, colocatedJobTypes: ["hog"] }, 2);
    expect(m.interferencePenalty("j", ["edge"])).toBeCloseTo(AVOID_SLOWDOWN_THRESHOLD, 15);
    const d = m.score({ jobType: "j", candidateGpuTypes: [GPU], colocatedJobTypes: ["hog", "edge", "hog"] });
    expect(d.avoidCoLocateWith).toEqual(["hog", "hog"]);
  });

  it("a run absurdly slower than a near-zero baseline is capped instead of overflowing", () => {
    const m = interferenceModel();
    m.observe({ jobType: "j", gpuType: GPU, runtimeS: 5e-324 }, 0);
    m.observe({ jobType: "j", gpuType: GPU, runtimeS: 1, colocatedJobTypes: ["hog"] }, 1);
    const d = m.score({ jobType: "j", candidateGpuTypes: [GPU], colocatedJobTypes: ["hog"] });
    expect(d.terms.penalty).toBe(10); // 0.1 × the 100 cap
    expect(Number.isFinite(d.terms.cost)).toBe(true);
  });
});

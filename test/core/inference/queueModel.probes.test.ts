/**
 * Spec §7.1: every queue-model probe reproduces the original queue-analysis package (v0.7.0 for
 * the v078 law, v0.3.0 for the legacy law): rate range, chunk table, Size and Analyze, and which
 * calls fail with which text. Float32 is emulated, so numbers must match bit for bit.
 */
import { describe, expect, it } from "vitest";
import { createQueueAnalyzer, type InferenceProfile, type QueueMetrics } from "../../../core/inference/index.js";
import { fixtureJson } from "./inferenceFixtures.js";

interface Probe {
  name: string;
  maxBatchSize: number;
  maxQueueSize: number;
  maxNumTokens: number;
  alpha: number;
  beta: number;
  gamma: number;
  avgInputTokens: number;
  avgOutputTokens: number;
  targetTTFT: number;
  targetITL: number;
  targetTPS: number;
  analyzeRatesPerSec: number[];
}

type GoMetrics = Record<"Throughput" | "AvgRespTime" | "AvgWaitTime" | "AvgNumInServ" | "AvgPrefillTime" | "AvgTokenTime" | "AvgTTFT" | "MaxRate" | "Rho", number>;

interface ProbeResult {
  probe: Probe;
  newError?: string;
  rateRangePerSec?: [number, number];
  numChunks?: number[];
  sizeError?: string;
  sizeTargetRatePerSec?: { itl: number; tps: number; ttft: number };
  sizeMetrics?: GoMetrics;
  sizeAchieved?: { itl: number; tps: number; ttft: number };
  analyze?: { ratePerSec: number; error: string; metrics?: GoMetrics }[];
}

function asGoMetrics(m: QueueMetrics): GoMetrics {
  return {
    Throughput: m.throughput,
    AvgRespTime: m.avgRespTime,
    AvgWaitTime: m.avgWaitTime,
    AvgNumInServ: m.avgNumInServ,
    AvgPrefillTime: m.avgPrefillTime,
    AvgTokenTime: m.avgTokenTime,
    AvgTTFT: m.avgTTFT,
    MaxRate: m.maxRate,
    Rho: m.rho,
  };
}

/** The expected files print float32 values in shortest form; read them back as float32. */
function asFloat32<T extends Record<string, number>>(values: T): T {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Math.fround(v)])) as T;
}

const SUITES: [InferenceProfile, string][] = [
  ["v078", "probes/expected-queue-analysis-v0.7.0.json"],
  ["legacy-v070", "probes/expected-queue-analysis-v0.3.0.json"],
];

describe.each(SUITES)("queue model %s reproduces %s", (profile, file) => {
  const results = fixtureJson<ProbeResult[]>(file);

  it("covers all 14 probes", () => {
    expect(results.map((r) => r.probe.name)).toEqual(fixtureJson<Probe[]>("probes/probes.json").map((p) => p.name));
  });

  it.each(results.map((r) => [r.probe.name, r] as const))("%s", (_name, expected) => {
    const p = expected.probe;
    const built = createQueueAnalyzer(
      {
        maxBatchSize: p.maxBatchSize,
        maxQueueSize: p.maxQueueSize,
        maxNumTokens: p.maxNumTokens,
        alpha: p.alpha,
        beta: p.beta,
        gamma: p.gamma,
        avgInputTokens: p.avgInputTokens,
        avgOutputTokens: p.avgOutputTokens,
      },
      profile,
    );
    if (expected.newError !== undefined) {
      expect(built).toEqual({ ok: false, error: expected.newError });
      return;
    }
    if (!built.ok) throw new Error(built.error);
    const qa = built.value;

    expect([qa.rateRangePerSec.min, qa.rateRangePerSec.max]).toEqual(expected.rateRangePerSec!.map(Math.fround));
    if (expected.numChunks) expect(qa.numChunks).toEqual(expected.numChunks);

    const sized = qa.size({ ttft: p.targetTTFT, itl: p.targetITL, tps: p.targetTPS });
    if (expected.sizeError !== undefined) {
      expect(sized).toEqual({ ok: false, error: expected.sizeError });
    } else {
      if (!sized.ok) throw new Error(sized.error);
      expect(sized.value.targetRatePerSec).toEqual(asFloat32(expected.sizeTargetRatePerSec!));
      expect(asGoMetrics(sized.value.metrics)).toEqual(asFloat32(expected.sizeMetrics!));
      expect(sized.value.achieved).toEqual(asFloat32(expected.sizeAchieved!));
    }

    for (const call of expected.analyze ?? []) {
      const got = qa.analyze(call.ratePerSec);
      if (call.error !== "") expect(got, `rate ${call.ratePerSec}`).toEqual({ ok: false, error: call.error });
      else {
        if (!got.ok) throw new Error(got.error);
        expect(asGoMetrics(got.value), `rate ${call.ratePerSec}`).toEqual(asFloat32(call.metrics!));
      }
    }
  });
});

import { describe, expect, it } from "vitest";
import { parseExposition, replicaCounters, replicaLoad } from "../../../core/slo/index.js";
import { nodeFixture, VLLM_DUMP } from "./sloFixtures.js";

const dump = nodeFixture(VLLM_DUMP);
const T0 = 1_750_000_000_000;

/** The dump with each counter raised: what the same server shows `seconds` later. */
function later(add: { requests: number; prompt: number; generation: number; ttftSum: number; ttftCount: number; tpotSum: number; tpotCount: number; running: number; waiting: number }): string {
  const bump = (text: string, name: string, by: number) =>
    text.replace(new RegExp(`^(${name.replace(/[:]/g, "\\$&")}\\{[^}]*\\} )([0-9.e+]+)$`, "m"), (_m, head: string, v: string) => `${head}${Number(v) + by}`);
  let t = dump;
  t = bump(t, "vllm:request_success_total", add.requests);
  t = bump(t, "vllm:prompt_tokens_total", add.prompt);
  t = bump(t, "vllm:generation_tokens_total", add.generation);
  t = bump(t, "vllm:time_to_first_token_seconds_sum", add.ttftSum);
  t = bump(t, "vllm:time_to_first_token_seconds_count", add.ttftCount);
  t = bump(t, "vllm:time_per_output_token_seconds_sum", add.tpotSum);
  t = bump(t, "vllm:time_per_output_token_seconds_count", add.tpotCount);
  t = bump(t, "vllm:num_requests_running", add.running);
  t = bump(t, "vllm:num_requests_waiting", add.waiting);
  return t;
}

describe("replica load from two scrapes", () => {
  it("reads the real vLLM dump's counters, summed over series", () => {
    const c = replicaCounters(parseExposition(dump).samples, T0);
    expect(c).toMatchObject({ model: "Qwen/Qwen3-0.6B", requests: 38, promptTokens: 43952, generationTokens: 4874, ttftCount: 69, itlCount: 4805, running: 0, waiting: 0 });
    expect(c.ttftSumS).toBeCloseTo(4941.843970537186, 9);
  });

  it("gives rates and means over the window", () => {
    const a = replicaCounters(parseExposition(dump).samples, T0);
    const b = replicaCounters(parseExposition(later({ requests: 20, prompt: 10_000, generation: 4_000, ttftSum: 3, ttftCount: 20, tpotSum: 80, tpotCount: 4_000, running: 5, waiting: 2 })).samples, T0 + 10_000);
    const load = replicaLoad(a, b);
    // 20 finished and 7 more inside the server than before: 27 arrived in 10 s.
    expect(load).toMatchObject({ model: "Qwen/Qwen3-0.6B", windowS: 10, requestRate: 2, arrivalRate: 2.7, avgInputTokens: 500, avgOutputTokens: 200, running: 5, waiting: 2 });
    expect(load.ttftMeanMs).toBeCloseTo(150, 6);
    expect(load.itlMeanMs).toBeCloseTo(20, 6);
  });

  it("knows only the gauges on a first scrape, and nothing of rates across a restart", () => {
    const a = replicaCounters(parseExposition(dump).samples, T0);
    expect(replicaLoad(undefined, a)).toEqual({ model: "Qwen/Qwen3-0.6B", windowS: 0, requestRate: null, arrivalRate: null, avgInputTokens: null, avgOutputTokens: null, ttftMeanMs: null, itlMeanMs: null, running: 0, waiting: 0 });
    const restarted = replicaCounters(parseExposition(later({ requests: -30, prompt: 0, generation: 0, ttftSum: 0, ttftCount: 0, tpotSum: 0, tpotCount: 0, running: 1, waiting: 0 })).samples, T0 + 10_000);
    expect(replicaLoad(a, restarted)).toMatchObject({ windowS: 10, requestRate: null, avgInputTokens: null, running: 1 });
  });

  it("leaves a mean null when nothing finished in the window", () => {
    const a = replicaCounters(parseExposition(dump).samples, T0);
    const b = replicaCounters(parseExposition(dump).samples, T0 + 5_000);
    expect(replicaLoad(a, b)).toMatchObject({ requestRate: 0, avgInputTokens: null, ttftMeanMs: null, itlMeanMs: null });
  });
});

import { describe, expect, it } from "vitest";
import { histogramSeries, LATENCY_FAMILIES, latencyHistogram, parseExposition, sumByLe } from "../../../core/slo/index.js";
import { nodeFixture, VLLM_DUMP } from "./sloFixtures.js";

const INF = Number.POSITIVE_INFINITY;

describe("parseExposition on the vLLM dump", () => {
  const parsed = parseExposition(nodeFixture(VLLM_DUMP));

  it("reads every line", () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.types.get("vllm:e2e_request_latency_seconds")).toBe("histogram");
    expect(parsed.types.get("vllm:num_requests_running")).toBe("gauge");
  });

  it("keeps label values with dots, slashes and commas-in-quotes", () => {
    const info = parsed.samples.find((s) => s.name === "vllm:cache_config_info");
    expect(info?.labels).toMatchObject({ gpu_memory_utilization: "0.9", num_gpu_blocks: "2340", swap_space_bytes: "4294967296.0" });
    expect(info?.value).toBe(1);
  });

  it("gives the e2e histogram with its 22 buckets although _sum comes first", () => {
    const e2e = latencyHistogram(parsed.samples, "e2e");
    expect(e2e?.family).toBe("vllm:e2e_request_latency_seconds");
    expect(e2e?.buckets).toHaveLength(22);
    expect(e2e?.buckets.at(-1)).toEqual({ le: INF, count: 38 });
    expect(e2e?.buckets[0]).toEqual({ le: 0.3, count: 0 });
  });

  it("falls back to time_per_output_token for inter-token latency on a pre-0.11 server", () => {
    expect(latencyHistogram(parsed.samples, "itl")).toMatchObject({ family: "vllm:time_per_output_token_seconds" });
    expect(LATENCY_FAMILIES.itl[0]).toBe("vllm:inter_token_latency_seconds");
  });

  it("has no histogram for a family the server does not export", () => {
    expect(latencyHistogram(parseExposition("up 1\n").samples, "ttft")).toBeUndefined();
  });
});

describe("parseExposition details", () => {
  it("unescapes label values and ignores timestamps", () => {
    const { samples, problems } = parseExposition('m{a="x\\"y",b="1\\\\2",c="l\\nm",} 2.5e1 1712000000000\n');
    expect(problems).toEqual([]);
    expect(samples).toEqual([{ name: "m", labels: { a: 'x"y', b: "1\\2", c: "l\nm" }, value: 25 }]);
  });

  it.each([
    ["+Inf", INF],
    ["-Inf", Number.NEGATIVE_INFINITY],
    ["NaN", Number.NaN],
    ["38.0", 38],
    [".5", 0.5],
  ])("reads the value %s", (text, want) => {
    expect(parseExposition(`m ${text}`).samples[0]?.value).toEqual(want);
  });

  it("reports a bad line with its number and keeps the others", () => {
    const { samples, problems } = parseExposition("good 1\nbad{le=\"1\" 2\nworse one\nfine{x=\"y\"} 3\n");
    expect(samples.map((s) => s.name)).toEqual(["good", "fine"]);
    expect(problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it("refuses a label set twice", () => {
    expect(parseExposition('m{a="1",a="2"} 1').problems[0]?.problem).toMatch(/appears twice/);
  });
});

describe("sumByLe", () => {
  it("adds the engines of one pod bucket by bucket", () => {
    const text = [
      'h_bucket{engine="0",le="1"} 2',
      'h_bucket{engine="0",le="+Inf"} 3',
      'h_bucket{engine="1",le="1"} 5',
      'h_bucket{engine="1",le="+Inf"} 9',
    ].join("\n");
    const series = histogramSeries(parseExposition(text).samples, "h");
    expect(series).toHaveLength(2);
    expect(sumByLe(series)).toEqual([{ le: 1, count: 7 }, { le: INF, count: 12 }]);
  });

  it("drops a bound that one series lacks", () => {
    const text = ['h_bucket{e="0",le="1"} 2', 'h_bucket{e="0",le="2"} 2', 'h_bucket{e="0",le="+Inf"} 3', 'h_bucket{e="1",le="1"} 1', 'h_bucket{e="1",le="+Inf"} 1'].join("\n");
    expect(sumByLe(histogramSeries(parseExposition(text).samples, "h"))).toEqual([{ le: 1, count: 3 }, { le: INF, count: 4 }]);
  });
});

describe("parseExposition with a name filter", () => {
  it("parses only the wanted families and does not report what it skipped", () => {
    const text = ['foo_total{a="b"} 1', 'vllm:num_requests_running{model_name="m"} 3', "broken{ line", 'vllm:num_requests_waiting{model_name="m"} 2'].join("\n");
    const all = parseExposition(text);
    expect(all.samples.map((s) => s.name)).toEqual(["foo_total", "vllm:num_requests_running", "vllm:num_requests_waiting"]);
    expect(all.problems).toHaveLength(1);
    const some = parseExposition(text, (n) => n.startsWith("vllm:"));
    expect(some.samples).toEqual([
      { name: "vllm:num_requests_running", labels: { model_name: "m" }, value: 3 },
      { name: "vllm:num_requests_waiting", labels: { model_name: "m" }, value: 2 },
    ]);
    expect(some.problems).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { formatMetricFile, metricFilePid, parseMetricFile } from "../../../core/slo/index.js";
import { nodeFixture } from "./sloFixtures.js";

describe("Cluster-Helper .metric files", () => {
  it.each([
    { file: "4242.metric", want: 87.5 },
    { file: "4243.metric", want: 87.5 },
    { file: "4244.metric", want: 123.45 },
    { file: "4245.metric", want: undefined },
  ])("$file reads as $want", ({ file, want }) => {
    expect(parseMetricFile(nodeFixture(`tenant_metrics/${file}`))).toBe(want);
  });

  it.each([
    { content: "p99_latency_ms: 1.2.3", why: "a labelled but malformed number is not read another way" },
    { content: "", why: "an empty file" },
    { content: "nan", why: "NaN is not a latency" },
    { content: "inf", why: "nor is infinity" },
    { content: "-5", why: "nor a negative number" },
    { content: "p99_latency_ms: .", why: "a lone dot" },
  ])("gives nothing for $content: $why", ({ content }) => {
    expect(parseMetricFile(content)).toBeUndefined();
  });

  it("finds the labelled value anywhere in the file", () => {
    expect(parseMetricFile("# tenant a\np99_latency_ms:12.5 extra\n")).toBe(12.5);
  });

  it("writes what the original writer writes and reads it back", () => {
    expect(formatMetricFile(87.5)).toBe("p99_latency_ms: 87.50\n");
    expect(parseMetricFile(formatMetricFile(123.456))).toBe(123.46);
  });

  it("takes the PID from <PID>.metric names only", () => {
    expect(metricFilePid("4242.metric")).toBe(4242);
    expect(metricFilePid("x.metric")).toBeUndefined();
    expect(metricFilePid("4242.metric.tmp")).toBeUndefined();
  });
});

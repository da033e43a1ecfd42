import { describe, expect, it } from "vitest";
import { fitNodeReport, MAX_NODE_REPORT_BYTES, MAX_PROBLEMS, nodeReportSize, NodeReportStatus } from "../../../core/nodeReport/index.js";
import { aNodeReportStatus, replica } from "../../builders/nodeReports.js";

describe("nodeReportSize", () => {
  it("counts UTF-8 bytes of the JSON, not characters", () => {
    expect(nodeReportSize({ a: "é" })).toBe(10); // {"a":"é"} is 9 characters, é is 2 bytes
    expect(nodeReportSize([])).toBe(2);
  });

  it("puts the realistic 8-GPU report (12 NICs, 3 replicas) at 7.1 KiB, 1.4 % of the budget", () => {
    expect(nodeReportSize(aNodeReportStatus())).toBe(7359);
    expect(MAX_NODE_REPORT_BYTES).toBe(524_288);
  });
});

describe("fitNodeReport", () => {
  const problems = Array.from({ length: 10 }, (_, i) => `problem ${i}: ${"x".repeat(200)}`);
  const replicas = Array.from({ length: 40 }, (_, i) => replica(`vllm-${String(i).padStart(2, "0")}`, i, { requestRate: i % 5 }));
  const big = aNodeReportStatus({ replicas, agent: { ...aNodeReportStatus().agent, problems } });

  it("returns a status that fits as it is, the same object", () => {
    const status = aNodeReportStatus();
    const fitted = fitNodeReport(status);
    expect(fitted).toEqual({ status, bytes: nodeReportSize(status), fits: true, droppedProblems: 0, droppedReplicas: 0 });
    expect(fitted.status).toBe(status);
  });

  /** The same status with `problems` and `replicas` in place of its own, and the note: what one fewer drop would give. */
  const withLists = (problemsKept: string[], replicasKept: typeof replicas, note: string) => ({ ...big, agent: { ...big.agent, problems: [note, ...problemsKept] }, replicas: replicasKept });

  it("drops the fewest problems that make it fit, oldest first, and says so as the first problem", () => {
    const max = nodeReportSize(big) - 900;
    const fitted = fitNodeReport(big, max);
    expect(fitted.fits).toBe(true);
    expect(fitted.bytes).toBe(nodeReportSize(fitted.status));
    expect(fitted.bytes).toBeLessThanOrEqual(max);
    expect(fitted.droppedReplicas).toBe(0);
    expect(fitted.droppedProblems).toBe(5);
    const note = `report over ${max} bytes: left out 0 of 40 replicas and 5 of 10 problems`;
    expect(fitted.status.agent.problems).toEqual([note, ...problems.slice(0, 5)]);
    expect(fitted.status.replicas).toEqual(replicas);
    expect(nodeReportSize(withLists(problems.slice(0, 6), replicas, note))).toBeGreaterThan(max);
  });

  it("then drops the fewest replicas, idle ones first, keeping the others in order and the summary's full count", () => {
    const max = nodeReportSize(big) - 10_000;
    const fitted = fitNodeReport(big, max);
    expect(fitted.fits).toBe(true);
    expect(fitted.bytes).toBeLessThanOrEqual(max);
    expect(fitted.droppedProblems).toBe(10);
    expect(fitted.droppedReplicas).toBe(23);
    // requestRate = i % 5: the idle ones (0, 5, …, 35) go first, then rate 1, then rate 2 (all but vllm-37).
    expect(fitted.status.replicas).toEqual(replicas.filter((_, i) => i % 5 >= 3 || i === 37));
    const note = `report over ${max} bytes: left out 23 of 40 replicas and 10 of 10 problems`;
    expect(fitted.status.agent.problems).toEqual([note]);
    expect(fitted.status.summary.replicas).toBe(40);
    expect(NodeReportStatus.safeParse(fitted.status).success).toBe(true);
    // Keeping the last replica given up (vllm-32, rate 2) would not have fitted.
    expect(nodeReportSize(withLists([], replicas.filter((_, i) => i % 5 >= 3 || i === 37 || i === 32), note))).toBeGreaterThan(max);
  });

  it("keeps at most MAX_PROBLEMS problems, the note included (the note's slot frees enough here)", () => {
    const many = Array.from({ length: MAX_PROBLEMS }, (_, i) => `p${i} ${"y".repeat(200)}`);
    const status = aNodeReportStatus({ replicas, agent: { ...aNodeReportStatus().agent, problems: many } });
    const fitted = fitNodeReport(status, nodeReportSize(status) - 1);
    expect(fitted.status.agent.problems).toHaveLength(MAX_PROBLEMS);
    expect(fitted.status.agent.problems.slice(1)).toEqual(many.slice(0, MAX_PROBLEMS - 1));
    expect(fitted.droppedProblems).toBe(1);
    expect(fitted.droppedReplicas).toBe(0);
  });

  it("says it does not fit when the status is over the budget without problems and replicas", () => {
    const fitted = fitNodeReport(big, 4_000);
    expect(fitted.fits).toBe(false);
    expect(fitted.droppedReplicas).toBe(40);
    expect(fitted.droppedProblems).toBe(10);
    expect(fitted.status.replicas).toEqual([]);
    expect(fitted.bytes).toBeGreaterThan(4_000);
  });
});

import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openScoringFixture, type ScoringFixture } from "./scoringApp.js";

describe("scoring metrics", () => {
  let f: ScoringFixture;
  beforeEach(() => {
    f = openScoringFixture({ store: { checkpointEveryObservations: 2 } });
  });
  afterEach(() => f.dispose());

  const value = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> => {
    const metric = f.registry.getSingleMetric(name);
    const values = (await metric?.get())?.values ?? [];
    return values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value;
  };

  it("exports the seed's model metrics (§C.8) under gpu_steward_scoring_, read from the model on scrape", async () => {
    await request(f.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: ["A100", "L4"] }).expect(200);
    await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 }).expect(200);
    await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "L4", measured_runtime_s: 9 }).expect(200);
    await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "L4", actual_runtime: 1, success: false }).expect(200);
    await request(f.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: [] }).expect(400);
    const text = await f.registry.metrics();

    expect(await value("gpu_steward_scoring_decisions_total", { decision_type: "exploration" })).toBe(1);
    expect(await value("gpu_steward_scoring_exploration_ratio")).toBe(1);
    expect(await value("gpu_steward_scoring_regret_estimate")).toBeCloseTo(0.9);
    expect(await value("gpu_steward_scoring_avg_uncertainty_seconds")).toBe(1);
    expect(await value("gpu_steward_scoring_model_pairs")).toBe(2);
    expect(await value("gpu_steward_scoring_observations_total", { learned: "runtime" })).toBe(2);
    expect(await value("gpu_steward_scoring_observations_total", { learned: "ignored" })).toBe(1);
    expect(await value("gpu_steward_scoring_requests_total", { endpoint: "score", code: "400" })).toBe(1);
    expect(await value("gpu_steward_scoring_requests_total", { endpoint: "observe", code: "200" })).toBe(3);
    expect(await value("gpu_steward_scoring_checkpoints_total")).toBe(1);
    expect(await value("gpu_steward_scoring_pending_observations")).toBe(0);
    expect(text).toContain('gpu_steward_scoring_request_duration_seconds_count{endpoint="observe"} 3');
    // Closed label sets only: no client-supplied job or GPU type becomes a series.
    expect(text).not.toMatch(/bert|A100|L4/);
  });

  it("keeps a mirrored counter monotonic across scrapes", async () => {
    for (const gpu of ["A", "B", "C", "D"]) {
      await request(f.app).post("/v1/observe").send({ job_type: "j", gpu_type: gpu, runtime_seconds: 1 }).expect(200);
    }
    expect(await value("gpu_steward_scoring_checkpoints_total")).toBe(2);
    expect(await value("gpu_steward_scoring_checkpoints_total")).toBe(2);
  });
});

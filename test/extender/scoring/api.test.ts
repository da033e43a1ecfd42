import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openScoringFixture, type ScoringFixture } from "./scoringApp.js";

// Seed spec §C.3: an unseen pair costs 10 + 0.3·5 − 0.7·IG(25) = 9.70730774149893; one run of 5 s gives 4.587….
const UNSEEN_TERMS = { mu: 10, sigma: 5, ig: 2.5609889407158146, penalty: 0, cost: 9.70730774149893 };

describe("scoring API", () => {
  let f: ScoringFixture;
  beforeEach(() => {
    f = openScoringFixture();
  });
  afterEach(() => f.dispose());

  describe("POST /v1/score", () => {
    it("answers the README shape for two unseen candidates: the first, priority 50, prior terms", async () => {
      const res = await request(f.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: ["A100-80GB", "L4-24GB"] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        priority_score: 50,
        gpu_selector: {
          nodeSelector: { "gpu.nvidia.com/class": "A100-80GB" },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
        },
        avoid_co_locate_with: [],
        terms: { ...UNSEEN_TERMS, chosen_gpu: "A100-80GB" },
        decision_type: "exploration",
      });
      expect(res.body.candidates).toEqual([
        { gpu_type: "A100-80GB", priority_score: 50, ...UNSEEN_TERMS },
        { gpu_type: "L4-24GB", priority_score: 50, ...UNSEEN_TERMS },
      ]);
    });

    it("ranks by what was observed: 5 s on A100 beats 8 s on L4 with priority 100", async () => {
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 }).expect(200);
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "L4", measured_runtime_s: 8 }).expect(200);
      const res = await request(f.app).post("/v1/score").send({ jobType: "bert", candidateGpuTypes: ["L4", "A100"] }).expect(200);
      expect(res.body.terms.chosen_gpu).toBe("A100");
      expect(res.body.priority_score).toBe(100);
      expect(res.body.decision_type).toBe("exploitation");
      // The spec prints 7.587091325458636; core's evaluation order lands one ulp above it.
      expect(res.body.candidates.map((c: { cost: number }) => c.cost)).toEqual([expect.closeTo(7.587091325458636, 12), 4.587091325458636]);
    });

    it("accepts and ignores the seed's features and unknown fields", async () => {
      await request(f.app)
        .post("/v1/score")
        .send({ job_type: "bert", features: { gpu_mem_gb: 40, batch_size: 8 }, candidate_gpu_types: ["A100"], colocated_job_types: [], extra: 1 })
        .expect(200);
    });

    it("parses a JSON body sent without a JSON content type", async () => {
      const res = await request(f.app).post("/v1/score").set("content-type", "text/plain").send(JSON.stringify({ job_type: "bert", candidate_gpu_types: ["A100"] }));
      expect(res.status).toBe(200);
    });

    it.each([
      { name: "an empty candidate list", body: { job_type: "bert", candidate_gpu_types: [] }, message: "candidate_gpu_types: must hold at least one GPU type" },
      { name: "an empty camelCase candidate list", body: { jobType: "bert", candidateGpuTypes: [] }, message: "candidateGpuTypes: must hold at least one GPU type" },
      { name: "no candidates", body: { job_type: "bert" }, message: "candidate_gpu_types: required" },
      { name: "no job type", body: { candidate_gpu_types: ["A100"] }, message: "job_type: required" },
      { name: "an empty job type", body: { jobType: "", candidate_gpu_types: ["A100"] }, message: "jobType: expected a non-empty string" },
      { name: "a number among the candidates", body: { job_type: "bert", candidate_gpu_types: ["A100", 7] }, message: "candidate_gpu_types[1]: expected string, received number" },
      { name: "co-located jobs as a string", body: { job_type: "bert", candidate_gpu_types: ["A100"], colocated_job_types: "x" }, message: "colocated_job_types: expected array, received string" },
      { name: "two spellings that disagree", body: { job_type: "a", jobType: "b", candidate_gpu_types: ["A100"] }, message: "job_type: given twice with different values (job_type and jobType)" },
    ])("refuses $name with a 400 naming the field", async ({ body, message }) => {
      const res = await request(f.app).post("/v1/score").send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: "SCORING_INPUT_INVALID", message, field: message.slice(0, message.indexOf(":")) });
    });

    it("names every bad field at once", async () => {
      const res = await request(f.app).post("/v1/score").send({ candidate_gpu_types: [] });
      expect(res.body.message).toBe("job_type: required; candidate_gpu_types: must hold at least one GPU type");
    });

    it("does not count a refused request as a decision", async () => {
      await request(f.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: [] }).expect(400);
      expect(f.state.model.metrics().decisionsTotal).toBe(0);
    });
  });

  describe("bodies", () => {
    it.each([
      { name: "not JSON", send: "{job_type:", message: /^body: not valid JSON/ },
      { name: "a JSON array", send: "[1,2]", message: /^body: expected a JSON object$/ },
      // body-parser reads an empty JSON body as {}: every required field is then named.
      { name: "empty", send: "", message: /^job_type: required; gpu_type: required; measured_runtime_s: required$/ },
    ])("refuses a body that is $name with a 400", async ({ send, message }) => {
      const res = await request(f.app).post("/v1/observe").set("content-type", "application/json").send(send);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe("SCORING_INPUT_INVALID");
      expect(res.body.message).toMatch(message);
    });

    it("refuses a body over the limit with 413", async () => {
      const small = openScoringFixture({ maxBodyBytes: 1024 });
      try {
        const res = await request(small.app).post("/v1/score").send({ job_type: "x".repeat(2000), candidate_gpu_types: ["A100"] });
        expect(res.status).toBe(413);
        expect(res.body).toEqual({ code: "SCORING_INPUT_INVALID", message: "body: body exceeds the 1024-byte limit", field: "body" });
      } finally {
        small.dispose();
      }
    });
  });

  describe("POST /v1/observe", () => {
    it("on a replica that does not lead, answers 503 SCORING_NOT_LEADER and stores nothing", async () => {
      let leading = false;
      const replica = openScoringFixture({ observeRefusal: () => (leading ? undefined : "this replica does not lead") });
      try {
        const body = { job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 };
        const refused = await request(replica.app).post("/v1/observe").send(body);
        expect(refused.status).toBe(503);
        expect(refused.headers["retry-after"]).toBe("1");
        expect(refused.body).toEqual({ code: "SCORING_NOT_LEADER", message: "this replica does not lead" });
        expect(replica.state.store.pendingObservations()).toBe(0);
        expect(replica.state.model.statsOf("bert", "A100")).toBeUndefined();
        // Bad input is still a 400 (the client's fault first), and scoring works on every replica.
        expect((await request(replica.app).post("/v1/observe").send({ job_type: "bert" })).status).toBe(400);
        expect((await request(replica.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: ["A100"] })).status).toBe(200);
        leading = true;
        expect((await request(replica.app).post("/v1/observe").send(body)).status).toBe(200);
        expect(replica.state.model.statsOf("bert", "A100")?.count).toBe(1);
      } finally {
        replica.dispose();
      }
    });

    it.each([
      { alias: "measured_runtime_s (README)", body: { job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 } },
      { alias: "actual_runtime (library schema, job_id and features optional)", body: { job_id: "j-1", job_type: "bert", gpu_type: "A100", features: {}, actual_runtime: 5, success: true } },
      { alias: "runtime_seconds (observer agent)", body: { job_type: "bert", gpu_type: "A100", runtime_seconds: 5, wait_seconds: 3, status: "completed" } },
      { alias: "runtimeS (camelCase)", body: { jobType: "bert", gpuType: "A100", runtimeS: 5 } },
    ])("learns a runtime sent as $alias", async ({ body }) => {
      const res = await request(f.app).post("/v1/observe").send(body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: "ok", learned: "runtime", observation_id: 1 });
      expect(f.state.model.statsOf("bert", "A100")).toMatchObject({ meanRuntimeS: 5, variance: 1, count: 1 });
    });

    it("learns interference from a co-located run once a solo baseline exists", async () => {
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 }).expect(200);
      const res = await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 10, colocated_job_types: ["hog"] });
      expect(res.body).toMatchObject({ status: "ok", learned: "interference", observation_id: 2 });
      expect(f.state.model.interferencePenalty("bert", ["hog"])).toBeCloseTo(0.1);
    });

    it.each([
      { name: "success false", body: { job_type: "bert", gpu_type: "A100", actual_runtime: 1, success: false } },
      { name: "status Failed", body: { job_type: "bert", gpu_type: "A100", runtime_seconds: 1, status: "Failed" } },
      { name: "status evicted", body: { job_type: "bert", gpu_type: "A100", runtime_seconds: 1, status: "evicted" } },
    ])("acknowledges but does not learn a failed run ($name)", async ({ body }) => {
      const res = await request(f.app).post("/v1/observe").send(body).expect(200);
      expect(res.body.status).toBe("ignored");
      expect(f.state.model.statsOf("bert", "A100")).toBeUndefined();
      expect(f.state.store.pendingObservations()).toBe(0);
    });

    it.each([
      { name: "no runtime", body: { job_type: "bert", gpu_type: "A100" }, message: "measured_runtime_s: required" },
      { name: "a negative runtime", body: { job_type: "bert", gpu_type: "A100", actual_runtime: -1 }, message: "actual_runtime: expected a number ≥ 0" },
      { name: "a runtime as text", body: { job_type: "bert", gpu_type: "A100", runtime_seconds: "5" }, message: "runtime_seconds: expected number, received string" },
      { name: "no GPU type", body: { jobType: "bert", runtimeS: 3 }, message: "gpu_type: required" },
      { name: "two runtimes that disagree", body: { job_type: "bert", gpu_type: "A100", measured_runtime_s: 1, actual_runtime: 2 }, message: "measured_runtime_s: given twice with different values (measured_runtime_s and actual_runtime)" },
    ])("refuses $name with a 400 naming the field and stores nothing", async ({ body, message }) => {
      const res = await request(f.app).post("/v1/observe").send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(message);
      expect(f.state.store.pendingObservations()).toBe(0);
    });

    it("accepts two spellings that agree", async () => {
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 4, runtime_seconds: 4 }).expect(200);
    });
  });

  describe("POST /v1/assign", () => {
    it("reproduces the seed's assignment of two jobs to two GPUs", async () => {
      const res = await request(f.app).post("/v1/assign").send({ costs: [[1, 10], [10, 1]], gpu_capacities: [1, 1] });
      expect(res.status).toBe(200);
      expect(res.body.assignments).toHaveLength(2);
      expect(res.body.assignments[0].shares).toEqual([{ gpu_index: 0, share: expect.closeTo(0.99999999995, 10) }]);
      expect(res.body.assignments[1].shares).toEqual([{ gpu_index: 1, share: expect.closeTo(0.99999999995, 10) }]);
    });

    it("splits the indifferent job of the seed's 3×2 case evenly", async () => {
      const res = await request(f.app).post("/v1/assign").send({ costs: [[1, 2], [2, 1], [1.5, 1.5]], gpu_capacities: [2, 2] }).expect(200);
      expect(res.body.assignments[2].shares.map((s: { share: number }) => s.share)).toEqual([
        expect.closeTo(0.4999999991693447, 12),
        expect.closeTo(0.4999999991693447, 12),
      ]);
    });

    it("takes costs from the model without counting decisions", async () => {
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 }).expect(200);
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "L4", measured_runtime_s: 8 }).expect(200);
      const res = await request(f.app)
        .post("/v1/assign")
        .send({ jobs: ["bert", { job_type: "gpt", colocated_job_types: [] }], gpu_types: ["A100", "L4"], epsilon: 1 })
        .expect(200);
      expect(res.body.costs).toEqual([
        [4.587091325458636, expect.closeTo(7.587091325458636, 12)],
        [9.70730774149893, 9.70730774149893],
      ]);
      expect(res.body.assignments[0]).toMatchObject({ job_type: "bert", shares: [{ gpu_index: 0, gpu_type: "A100" }, { gpu_index: 1, gpu_type: "L4" }] });
      expect(res.body.assignments[1].job_type).toBe("gpt");
      expect(f.state.model.metrics().decisionsTotal).toBe(0);
    });

    it.each([
      { name: "neither costs nor jobs", body: {}, message: "costs: required (or jobs with gpu_types)" },
      { name: "both costs and jobs", body: { costs: [[1]], jobs: ["a"], gpu_types: ["A100"] }, message: "costs: give either costs or jobs with gpu_types, not both" },
      { name: "jobs without GPU types", body: { jobs: ["a"] }, message: "gpu_types: required with jobs" },
      { name: "an empty GPU type list", body: { jobs: ["a"], gpu_types: [] }, message: "gpu_types: must hold at least one GPU type" },
      { name: "a job of the wrong shape", body: { jobs: [{ job_type: "a" }, 3], gpu_types: ["A100"] }, message: "jobs[1]: expected a job type or { job_type, colocated_job_types }" },
      { name: "capacities that do not match the GPU types", body: { jobs: ["a"], gpu_types: ["A100", "L4"], gpu_capacities: [1] }, message: "gpu_capacities: expected 2 entries, one per GPU type" },
      { name: "a zero epsilon", body: { costs: [[1]], epsilon: 0 }, message: "epsilon: expected a number > 0" },
      // Found by core (ScoringInputError on `jobCosts[1]`), named with the client's field.
      { name: "a ragged cost matrix", body: { costs: [[1, 2], [1]] }, message: "costs[1]: expected 2 entries, one per GPU" },
      { name: "all capacities zero", body: { costs: [[1, 2]], gpu_capacities: [0, 0] }, message: "gpu_capacities: expected a positive total capacity" },
    ])("refuses $name with a 400 naming the field", async ({ body, message }) => {
      const res = await request(f.app).post("/v1/assign").send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(message);
    });
  });

  it("answers 500 with a code, never a crash, when the store fails", async () => {
    f.state.close();
    const res = await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ code: "INTERNAL", message: "internal error; see the controller log" });
    expect(f.state.model.statsOf("bert", "A100")).toBeUndefined();
  });

  describe("GET /", () => {
    it("describes the service, its config (sinkhorn flag included) and the model", async () => {
      await request(f.app).post("/v1/observe").send({ job_type: "bert", gpu_type: "A100", measured_runtime_s: 5 }).expect(200);
      await request(f.app).post("/v1/score").send({ job_type: "bert", candidate_gpu_types: ["A100"] }).expect(200);
      const res = await request(f.app).get("/").expect(200);
      expect(res.body).toEqual({
        service: "gpu-steward-scoring",
        version: "test",
        config: {
          lambda_uncertainty: 0.3,
          beta_exploration: 0.7,
          gamma_interference: 0.5,
          tau_squared: 0.15,
          exploration_cap: 0.25,
          enable_interference: true,
          enable_sinkhorn: false,
          retention_pairs: 1000,
        },
        model: { stats_count: 1, interference_pairs: 0, decisions_total: 1, exploration_decisions: 0, exploration_ratio: 0, avg_uncertainty: 1 },
        pending_observations: 1,
      });
    });
  });
});

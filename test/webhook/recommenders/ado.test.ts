import { afterEach, describe, expect, it, vi } from "vitest";
import { pino } from "pino";
import { AdoRecommender, type AdoRecommenderOptions } from "../../../webhook/recommenders/ado.js";
import { systemClock } from "../../../platform/clock.js";
import { adoResultBody, closedPortUrl, json, startFakeAdo, type FakeAdo, type FakeAdoBehaviour } from "./fakeAdo.js";
import { someInputs, someLimits } from "./builders.js";

const MIN_GPU_PATH = "/api/latest/actuators/custom_experiments/experiments/min_gpu_recommender/requests";
const AVOID_OOM_PATH = "/api/latest/actuators/custom_experiments/experiments/avoid_oom_recommender/requests";
/** Deadline of the tests that wait for it. */
const DEADLINE_BUDGET_MS = 400;
/** Deadline of the tests that expect an answer: roomy, so a loaded CI machine does not turn them into timeouts. */
const ANSWER_BUDGET_MS = 2000;
// Generous on purpose: the server under test never answers, so without the deadline the call would
// hang until vitest gives up; the bound proves it returns, not how fast (CI machines are noisy).
const DEADLINE_SLACK_MS = 2_000;

const servers: FakeAdo[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(behaviour: FakeAdoBehaviour = {}): Promise<FakeAdo> {
  const server = await startFakeAdo(behaviour);
  servers.push(server);
  return server;
}

function ado(baseUrl: string, opts: Partial<AdoRecommenderOptions> = {}): AdoRecommender {
  return new AdoRecommender({ baseUrl, pollIntervalMs: 20, clock: systemClock, log: pino({ level: "silent" }), ...opts });
}

const deadline = () => systemClock.nowMs() + ANSWER_BUDGET_MS;

describe("AdoRecommender request", () => {
  it("POSTs the min_gpu_recommender entity of §1.6, numbers as JSON numbers", async () => {
    const server = await fake();
    await ado(server.url).recommend(someInputs(), someLimits({ maxGpus: 32, gpusPerNode: 4 }), deadline());

    const post = server.requests[0]!;
    expect(post.method).toBe("POST");
    expect(post.path).toBe(MIN_GPU_PATH);
    expect(post.contentType).toBe("application/json");
    expect(JSON.parse(post.body)).toEqual([
      {
        constitutive_property_values: [
          { valueType: "STRING_VALUE_TYPE", value: "llama-7b", property: { identifier: "model_name" } },
          { valueType: "STRING_VALUE_TYPE", value: "lora", property: { identifier: "method" } },
          { valueType: "STRING_VALUE_TYPE", value: "NVIDIA-A100-SXM4-80GB", property: { identifier: "gpu_model" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 8192, property: { identifier: "tokens_per_sample" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 16, property: { identifier: "batch_size" } },
          { valueType: "STRING_VALUE_TYPE", value: "3.1.0", property: { identifier: "model_version" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 4, property: { identifier: "gpus_per_worker" } },
          { valueType: "NUMERIC_VALUE_TYPE", value: 32, property: { identifier: "max_gpus" } },
        ],
      },
    ]);
  });

  it("POSTs the avoid_oom_recommender entity under policy avoid-oom, with the configured model version", async () => {
    const server = await fake();
    await ado(server.url, { modelVersion: "2.0.0" }).recommend(
      someInputs({ perDeviceBatch: 4, requestedGpus: 4, globalBatch: 16 }),
      someLimits({ policy: "avoid-oom" }),
      deadline(),
    );

    const post = server.requests[0]!;
    expect(post.path).toBe(AVOID_OOM_PATH);
    const values = (JSON.parse(post.body) as Array<{ constitutive_property_values: unknown[] }>)[0]!
      .constitutive_property_values;
    expect(values).toEqual([
      { valueType: "STRING_VALUE_TYPE", value: "llama-7b", property: { identifier: "model_name" } },
      { valueType: "STRING_VALUE_TYPE", value: "lora", property: { identifier: "method" } },
      { valueType: "STRING_VALUE_TYPE", value: "NVIDIA-A100-SXM4-80GB", property: { identifier: "gpu_model" } },
      { valueType: "NUMERIC_VALUE_TYPE", value: 8192, property: { identifier: "tokens_per_sample" } },
      { valueType: "NUMERIC_VALUE_TYPE", value: 4, property: { identifier: "per_device_train_batch_size" } },
      { valueType: "NUMERIC_VALUE_TYPE", value: 4, property: { identifier: "number_gpus" } },
      { valueType: "NUMERIC_VALUE_TYPE", value: 8, property: { identifier: "gpus_per_worker" } },
      { valueType: "NUMERIC_VALUE_TYPE", value: 64, property: { identifier: "max_gpus" } },
      { valueType: "STRING_VALUE_TYPE", value: "2.0.0", property: { identifier: "model_version" } },
    ]);
    expect(server.requests[1]).toMatchObject({ method: "GET", path: `${AVOID_OOM_PATH}/req-1` });
  });

  it("sends the L40S node label NVIDIA-L40S as autoconf's bare L40S", async () => {
    const server = await fake();
    await ado(server.url).recommend(someInputs({ gpuModel: "NVIDIA-L40S" }), someLimits(), deadline());
    expect(server.requests[0]!.body).toContain('"value":"L40S","property":{"identifier":"gpu_model"}');
  });

  it("tolerates a trailing slash on the base URL", async () => {
    const server = await fake();
    await ado(`${server.url}/`).recommend(someInputs(), someLimits(), deadline());
    expect(server.requests[0]!.path).toBe(MIN_GPU_PATH);
  });

  it("gives every fetch an AbortSignal", async () => {
    const server = await fake({ pendingPolls: 1 });
    const spy = vi.fn<typeof fetch>((input, init) => fetch(input, init));
    await ado(server.url, { fetch: spy }).recommend(someInputs(), someLimits(), deadline());
    expect(spy).toHaveBeenCalledTimes(3);
    for (const [, init] of spy.mock.calls) expect(init?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe("AdoRecommender answers", () => {
  it("polls while ADO answers 404 and maps the 200 answer (404, 404, 200)", async () => {
    const server = await fake({ pendingPolls: 2, answer: { can_recommend: 1, gpus: 4, workers: 2 } });
    const answer = await ado(server.url).recommend(someInputs({ globalBatch: 64 }), someLimits(), deadline());

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${MIN_GPU_PATH}`,
      `GET ${MIN_GPU_PATH}/req-1`,
      `GET ${MIN_GPU_PATH}/req-1`,
      `GET ${MIN_GPU_PATH}/req-1`,
    ]);
    expect(answer.recommender).toBe("ado");
    expect(answer.fallback).toBeUndefined();
    expect(answer.result).toEqual({
      ok: true,
      recommendation: { workers: 2, gpusPerWorker: 4, totalGpus: 8, perDeviceBatch: 8 },
      reason: expect.stringContaining("2 worker(s) × 4 GPU(s) = 8 GPUs"),
    });
  });

  it("min-gpus: rounds the per-device batch up when the global batch does not divide, and says so", async () => {
    const server = await fake({ answer: { can_recommend: 1, gpus: 8, workers: 1 } });
    const { result } = await ado(server.url).recommend(someInputs({ globalBatch: 12 }), someLimits(), deadline());
    expect(result.ok && result.recommendation.perDeviceBatch).toBe(2);
    expect(result.reason).toMatch(/global batch 12 does not divide by 8: per-device batch rounded up to 2/);
  });

  it("avoid-oom: keeps the user's per-device batch", async () => {
    const server = await fake({ answer: { can_recommend: 1, gpus: 4, workers: 1 } });
    const { result } = await ado(server.url).recommend(
      someInputs({ perDeviceBatch: 3, requestedGpus: 2, globalBatch: 6 }),
      someLimits({ policy: "avoid-oom" }),
      deadline(),
    );
    expect(result).toMatchObject({ ok: true, recommendation: { workers: 1, gpusPerWorker: 4, totalGpus: 4, perDeviceBatch: 3 } });
  });

  it("asks avoid_oom_recommender when the per-device batch cannot be rewritten", async () => {
    const server = await fake();
    const { result } = await ado(server.url).recommend(
      someInputs(),
      someLimits({ policy: "min-gpus", perDeviceBatchRewritable: false }),
      deadline(),
    );
    expect(server.requests[0]!.path).toBe(AVOID_OOM_PATH);
    expect(result.ok && result.recommendation.perDeviceBatch).toBe(8);
  });

  it("can_recommend=0 is a no-fit", async () => {
    const server = await fake({ answer: { can_recommend: 0, gpus: -1, workers: -1 } });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), deadline());
    expect(result).toEqual({ ok: false, code: "no-fit", reason: "ADO autoconf: no recommendation (can_recommend=0)" });
  });

  it("an answer with more workers than the launcher can run is a no-fit naming the limit", async () => {
    const server = await fake({ answer: { can_recommend: 1, gpus: 8, workers: 2 } });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits({ maxWorkers: 1 }), deadline());
    expect(result).toMatchObject({ ok: false, code: "no-fit", reason: expect.stringContaining("at most 1 worker(s)") });
  });

  it.each([
    ["model", { modelName: "gpt-neox-20b" }, "unknown-model"],
    ["GPU", { gpuModel: "NVIDIA-H200" }, "unknown-gpu"],
  ] as const)("refuses an unknown %s before asking ADO", async (_what, overrides, code) => {
    const server = await fake();
    const { result } = await ado(server.url).recommend(someInputs(overrides), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code });
    expect(server.requests).toHaveLength(0);
  });

  it("asks about an unknown model when the closed-domain check is off", async () => {
    const server = await fake();
    const { result } = await ado(server.url, { closedDomain: false }).recommend(
      someInputs({ modelName: "gpt-neox-20b" }),
      someLimits(),
      deadline(),
    );
    expect(result.ok).toBe(true);
    expect(server.requests[0]!.body).toContain('"gpt-neox-20b"');
  });

  it("invalid inputs (a NaN sequence length) are refused locally", async () => {
    const server = await fake();
    const { result } = await ado(server.url).recommend(someInputs({ tokensPerSample: Number.NaN }), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "invalid-inputs", reason: expect.stringContaining("tokens_per_sample") });
    expect(server.requests).toHaveLength(0);
  });
});

describe("AdoRecommender unavailability", () => {
  it("a request that stays pending past the deadline is unavailable, returned at about the deadline", async () => {
    const server = await fake({ pendingPolls: Number.POSITIVE_INFINITY });
    const start = systemClock.nowMs();
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), start + DEADLINE_BUDGET_MS);
    const elapsed = systemClock.nowMs() - start;

    expect(elapsed).toBeLessThan(DEADLINE_BUDGET_MS + DEADLINE_SLACK_MS);
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`GET ${MIN_GPU_PATH}/req-1 still pending (404)`);
    expect(server.requests.length).toBeGreaterThan(3);
  });

  it("a poll cut by the deadline after earlier 404s still reads as pending, not as no answer", async () => {
    const server = await fake({
      result: (_id, n) => (n === 1 ? json(404, { detail: "pending" }) : { status: 200, body: "", hang: true }),
    });
    const start = systemClock.nowMs();
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), start + DEADLINE_BUDGET_MS);

    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`GET ${MIN_GPU_PATH}/req-1 still pending (404)`);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);
  });

  it("a first poll cut by the deadline reads as no answer", async () => {
    const server = await fake({ result: () => ({ status: 200, body: "", hang: true }) });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), systemClock.nowMs() + DEADLINE_BUDGET_MS);

    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`GET ${MIN_GPU_PATH}/req-1 gave no answer within`);
  });

  it("a server that never answers is abandoned at the deadline", async () => {
    const server = await fake({ submit: () => ({ status: 200, body: "", hang: true }) });
    const start = systemClock.nowMs();
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), start + DEADLINE_BUDGET_MS);

    expect(systemClock.nowMs() - start).toBeLessThan(DEADLINE_BUDGET_MS + DEADLINE_SLACK_MS);
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toMatch(new RegExp(`POST ${MIN_GPU_PATH} gave no answer within \\d+ ms; deadline reached`));
  });

  it("a deadline already past sends nothing", async () => {
    const server = await fake();
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), systemClock.nowMs() - 1);
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(server.requests).toHaveLength(0);
  });

  it("a server that is down is unavailable, naming the path and the connection error", async () => {
    const { result } = await ado(await closedPortUrl()).recommend(someInputs(), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`POST ${MIN_GPU_PATH} failed after`);
    expect(result.reason).toMatch(/ECONNREFUSED/);
  });

  it("HTTP 500 on the POST is unavailable, naming 500", async () => {
    const server = await fake({ submit: () => json(500, { detail: "actuator crashed" }) });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`POST ${MIN_GPU_PATH} answered HTTP 500`);
    expect(result.reason).toContain("actuator crashed");
  });

  it("HTTP 500 on a GET is unavailable, naming 500", async () => {
    const server = await fake({ result: () => json(500, {}) });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), deadline());
    expect(result.reason).toContain(`GET ${MIN_GPU_PATH}/req-1 answered HTTP 500`);
  });

  it("a 404 on the POST is not 'pending': unavailable", async () => {
    const server = await fake({ submit: () => json(404, { detail: "no such experiment" }) });
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable", reason: expect.stringContaining("HTTP 404") });
  });

  it.each([
    ["a GET body that is not JSON", { result: () => ({ status: 200, body: "<html>oops" }) }, `GET ${MIN_GPU_PATH}/req-1`, "$: not JSON"],
    ["a GET body without entities", { result: () => json(200, { items: [] }) }, `GET ${MIN_GPU_PATH}/req-1`, "$.entities"],
    [
      "a GET answer with a non-numeric gpus",
      { result: () => ({ status: 200, body: adoResultBody({ can_recommend: 1, gpus: "many", workers: 1 }) }) },
      `GET ${MIN_GPU_PATH}/req-1`,
      "$.entities[0].measurement_results[0].measurements[1].value",
    ],
    ["a POST answer that is not an array", { submit: () => json(200, { id: "x" }) }, `POST ${MIN_GPU_PATH}`, "$: expected a JSON array"],
    ["a POST answer with two ids", { submit: () => json(200, ["a", "b"]) }, `POST ${MIN_GPU_PATH}`, "exactly one request id, got 2"],
  ] as const)("%s is unavailable, naming the URL path and the JSON path", async (_name, behaviour, urlPath, jsonPath) => {
    const server = await fake(behaviour);
    const { result } = await ado(server.url).recommend(someInputs(), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable" });
    expect(result.reason).toContain(`malformed response to ${urlPath}`);
    expect(result.reason).toContain(jsonPath);
  });

  it("a fetch that throws synchronously still yields an answer", async () => {
    const throwing = (() => {
      throw new Error("boom");
    }) as unknown as typeof fetch;
    const { result } = await ado("http://127.0.0.1:1", { fetch: throwing }).recommend(someInputs(), someLimits(), deadline());
    expect(result).toMatchObject({ ok: false, code: "recommender-unavailable", reason: expect.stringContaining("boom") });
  });
});

describe("AdoRecommender submit / poll (async admission path)", () => {
  it("submits once, then polls the id: pending, then the answer", async () => {
    const server = await fake({ pendingPolls: 1, answer: { can_recommend: 1, gpus: 2, workers: 1 } });
    const recommender = ado(server.url);
    const inputs = someInputs();
    const limits = someLimits();

    const submission = await recommender.submit(inputs, limits);
    expect(submission).toEqual({ ok: true, requestId: "req-1", experiment: "min_gpu_recommender" });
    expect(await recommender.poll("req-1", inputs, limits)).toEqual({ status: "pending" });
    expect(await recommender.poll("req-1", inputs, limits)).toEqual({
      status: "done",
      result: { ok: true, recommendation: { workers: 1, gpusPerWorker: 2, totalGpus: 2, perDeviceBatch: 8 }, reason: expect.any(String) },
    });
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);
  });

  it("URL-encodes the request id in the path", async () => {
    const server = await fake({ submit: () => json(200, ["a/b c"]) });
    const recommender = ado(server.url);
    const submission = await recommender.submit(someInputs(), someLimits());
    expect(submission).toMatchObject({ ok: true, requestId: "a/b c" });
    await recommender.poll("a/b c", someInputs(), someLimits());
    expect(server.requests[1]!.path).toBe(`${MIN_GPU_PATH}/a%2Fb%20c`);
  });

  it("submit to a server that is down reports unavailability instead of an id", async () => {
    const submission = await ado(await closedPortUrl()).submit(someInputs(), someLimits());
    expect(submission).toMatchObject({ ok: false, result: { code: "recommender-unavailable" } });
  });
});

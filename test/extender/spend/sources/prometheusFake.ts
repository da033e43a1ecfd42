/**
 * Answers in the Prometheus HTTP API's JSON format (`GET /api/v1/query`): `status`, `data.resultType`,
 * `data.result` with sample values `[unix seconds, "string"]`, and error answers
 * `{status: "error", errorType, error}` with the status codes Prometheus uses (400 bad_data,
 * 422 execution, 503 timeout/unavailable).
 */
import type { FakeAnswer, RecordedRequest } from "./fakeHttp.js";

export const PROMETHEUS_PATH = "/api/v1/query";

export function scalarAnswer(timeS: number, value: string): FakeAnswer {
  return { status: 200, json: { status: "success", data: { resultType: "scalar", result: [timeS, value] } } };
}

export function vectorAnswer(timeS: number, values: Array<{ metric?: Record<string, string>; value: string }>): FakeAnswer {
  return {
    status: 200,
    json: {
      status: "success",
      data: { resultType: "vector", result: values.map((v) => ({ metric: v.metric ?? {}, value: [timeS, v.value] })) },
    },
  };
}

export function errorAnswer(status: 400 | 422 | 503, errorType: string, error: string): FakeAnswer {
  return { status, json: { status: "error", errorType, error } };
}

/** Throws when the request is not an instant query; returns the query and its evaluation time. */
export function checkInstantQuery(req: RecordedRequest): { query: string; timeS: number } {
  if (req.method !== "GET") throw new Error(`expected GET, got ${req.method}`);
  if (req.path !== PROMETHEUS_PATH) throw new Error(`expected ${PROMETHEUS_PATH}, got ${req.path}`);
  const query = req.query.get("query");
  const time = req.query.get("time");
  if (query === null || query === "") throw new Error("missing query");
  if (time === null || !/^\d+(\.\d+)?$/.test(time)) throw new Error(`time ${String(time)} is not unix seconds`);
  for (const name of req.query.keys()) if (!["query", "time"].includes(name)) throw new Error(`unexpected parameter ${name}`);
  return { query, timeS: Number(time) };
}

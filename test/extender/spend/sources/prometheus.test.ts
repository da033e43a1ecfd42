import { afterEach, describe, expect, it } from "vitest";
import { PrometheusSpendSource, type PrometheusSourceOptions } from "../../../../extender/spend/sources/index.js";
import { isStewardError, type StewardError } from "../../../../platform/errors.js";
import { closedPortUrl, startFakeServer, type FakeAnswer, type FakeServer } from "./fakeHttp.js";
import { checkInstantQuery, errorAnswer, scalarAnswer, vectorAnswer } from "./prometheusFake.js";

const NOW = Date.parse("2025-06-16T12:00:00Z");
const NOW_S = NOW / 1000;
const MTD = "sum(increase(credits_spent_usd_total[{{monthElapsed}}]))";
const RATE = "sum(increase(credits_spent_usd_total[{{lookback}}])) / {{lookbackDays}}";

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A Prometheus that answers the month-to-date and the rate query (told apart by `/`). */
async function prometheus(answers: { monthToDate: FakeAnswer; rate: FakeAnswer }) {
  fake = await startFakeServer((req) => {
    const { query } = checkInstantQuery(req);
    return query.includes("/") ? answers.rate : answers.monthToDate;
  });
  return fake;
}

function source(url: string, opts: Partial<PrometheusSourceOptions> = {}): PrometheusSpendSource {
  return new PrometheusSpendSource({ baseUrl: url, monthToDateQuery: MTD, dailyRateQuery: RATE, ...opts });
}

async function failure(p: Promise<unknown>): Promise<StewardError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStewardError(err)) throw new Error(`expected a StewardError, got ${String(err)}`);
  return err;
}

const ok = { monthToDate: vectorAnswer(NOW_S, [{ value: "200000" }]), rate: scalarAnswer(NOW_S, "15000") };

describe("PrometheusSpendSource", () => {
  it("reads a one-sample vector and a scalar", async () => {
    const server = await prometheus(ok);

    expect(await source(server.url).read(NOW)).toEqual({ monthToDateUsd: 200_000, dailyRateUsd: 15_000 });
  });

  it("asks instant queries at the decision time with the placeholders filled", async () => {
    const server = await prometheus(ok);

    await source(server.url).read(NOW);

    const asked = server.requests.map((r) => ({ path: r.path, query: r.query.get("query"), time: r.query.get("time") }));
    expect(asked).toHaveLength(2);
    expect(asked).toEqual(
      expect.arrayContaining([
        // 15.5 days since 2025-06-01T00:00Z
        { path: "/api/v1/query", query: "sum(increase(credits_spent_usd_total[1339200s]))", time: "1750075200.000" },
        { path: "/api/v1/query", query: "sum(increase(credits_spent_usd_total[86400s])) / 1", time: "1750075200.000" },
      ]),
    );
  });

  it("fills a longer lookback and a shifted billing month", async () => {
    const server = await prometheus(ok);

    await source(server.url, { lookbackDays: 7, utcOffsetMinutes: -300 }).read(NOW);

    const queries = server.requests.map((r) => r.query.get("query"));
    // The month began at 2025-06-01T05:00Z in UTC−5.
    expect(queries).toContain("sum(increase(credits_spent_usd_total[1321200s]))");
    expect(queries).toContain("sum(increase(credits_spent_usd_total[604800s])) / 7");
  });

  it("ignores the warnings Prometheus adds to a good answer", async () => {
    const warned = { status: 200, json: { status: "success", warnings: ["PromQL info: metric might not be a counter"], data: { resultType: "scalar", result: [NOW_S, "42.5"] } } };
    const server = await prometheus({ monthToDate: warned, rate: warned });

    expect(await source(server.url).read(NOW)).toEqual({ monthToDateUsd: 42.5, dailyRateUsd: 42.5 });
  });
});

describe("PrometheusSpendSource failures", () => {
  it.each([
    { name: "a bad_data error (HTTP 400)", answer: errorAnswer(400, "bad_data", 'invalid parameter "query": 1:5: parse error'), want: /query failed \(HTTP 400, bad_data\): invalid parameter "query": 1:5: parse error/ },
    { name: "an execution error (HTTP 422)", answer: errorAnswer(422, "execution", "query processing would load too many samples"), want: /\(HTTP 422, execution\): query processing would load too many samples/ },
    { name: "a query timeout (HTTP 503)", answer: errorAnswer(503, "timeout", "query timed out in expression evaluation"), want: /\(HTTP 503, timeout\): query timed out/ },
    { name: "an empty vector", answer: vectorAnswer(NOW_S, []), want: /returned no samples/ },
    { name: "two samples", answer: vectorAnswer(NOW_S, [{ metric: { pool: "a" }, value: "1" }, { metric: { pool: "b" }, value: "2" }]), want: /returned 2 samples, expected one/ },
    { name: "a matrix", answer: { status: 200, json: { status: "success", data: { resultType: "matrix", result: [] } } }, want: /got a matrix/ },
    { name: "NaN", answer: scalarAnswer(NOW_S, "NaN"), want: /expected a finite spend ≥ 0 USD, got "NaN"/ },
    { name: "+Inf", answer: vectorAnswer(NOW_S, [{ value: "+Inf" }]), want: /got "\+Inf"/ },
    { name: "a negative spend", answer: scalarAnswer(NOW_S, "-12"), want: /got "-12"/ },
    { name: "a gateway's HTML page", answer: { status: 502, text: "<html>Bad Gateway</html>", contentType: "text/html" }, want: /HTTP 502, body is not JSON: <html>Bad Gateway<\/html>/ },
    { name: "JSON that is not a Prometheus answer, with an error status", answer: { status: 401, json: { message: "unauthorized" } }, want: /HTTP 401: \{"message":"unauthorized"\}/ },
  ] satisfies Array<{ name: string; answer: FakeAnswer; want: RegExp }>)("$name → SPEND_SOURCE naming Prometheus and the URL", async ({ answer, want }) => {
    const server = await prometheus({ monthToDate: answer, rate: ok.rate });

    const err = await failure(source(server.url).read(NOW));

    expect(err.code).toBe("SPEND_SOURCE");
    expect(err.message).toMatch(/^prometheus: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?query=sum%28increase/);
    expect(err.message).toMatch(want);
  });

  it("names the body field of a malformed success answer", async () => {
    const numeric = { status: 200, json: { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [NOW_S, 12] }] } } };
    const server = await prometheus({ monthToDate: numeric, rate: ok.rate });

    const err = await failure(source(server.url).read(NOW));

    expect(err.field).toBe("data.result[0].value[1]");
    expect(err.message).toMatch(/unexpected body: data\.result\[0\]\.value\[1\]: /);
  });

  it("times out a server that does not answer", async () => {
    fake = await startFakeServer(() => ({ hang: true }));

    const err = await failure(source(fake.url, { timeoutMs: 50 }).read(NOW));

    expect(err.message).toMatch(/: no answer within 50 ms$/);
  });

  it("reports a refused connection", async () => {
    expect((await failure(source(await closedPortUrl()).read(NOW))).message).toMatch(/^prometheus: .*request failed: ECONNREFUSED/);
  });

  it.each([
    { opts: { monthToDateQuery: " " }, field: "prometheus.monthToDateQuery" },
    { opts: { dailyRateQuery: "sum(x[{{window}}])" }, field: "prometheus.dailyRateQuery" },
    { opts: { baseUrl: "prometheus:9090" }, field: "prometheus.baseUrl" },
    { opts: { lookbackDays: -1 }, field: "prometheus.lookbackDays" },
  ])("refuses $field at construction", ({ opts, field }) => {
    expect(() => source("http://prometheus:9090", opts)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", field }));
  });
});

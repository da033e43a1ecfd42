import { afterEach, describe, expect, it } from "vitest";
import { OpenCostSpendSource, type OpenCostSourceOptions } from "../../../../extender/spend/sources/index.js";
import { isStewardError, type StewardError } from "../../../../platform/errors.js";
import { closedPortUrl, startFakeServer, type FakeAnswer, type FakeServer, type RecordedRequest } from "./fakeHttp.js";
import {
  allocationAnswer,
  assertSwaggerShaped,
  checkAllocationRequest,
  nodeAllocation,
  swaggerExampleAnswer,
  validateStrictAnswer,
  validateSwaggerAnswer,
  type NodeCost,
} from "./opencostFake.js";

const NOW = Date.parse("2025-06-16T12:00:00Z");
const POOL = new Set(["gpu-credits-a", "gpu-credits-b"]);

let fake: FakeServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** OpenCost answering per window: month-to-date and lookback sets picked by the window's start. */
async function openCost(costsFor: (window: { start: string; end: string }) => Array<Record<string, NodeCost>>, path?: string) {
  fake = await startFakeServer((req) => {
    const window = checkAllocationRequest(req, path);
    return { status: 200, json: allocationAnswer(costsFor(window), window) };
  });
  return fake;
}

async function rawOpenCost(answer: (req: RecordedRequest) => FakeAnswer) {
  fake = await startFakeServer(answer);
  return fake;
}

function source(url: string, opts: Partial<OpenCostSourceOptions> = {}): OpenCostSpendSource {
  return new OpenCostSpendSource({ baseUrl: url, isPoolNode: (n) => POOL.has(n), ...opts });
}

async function failure(p: Promise<unknown>): Promise<StewardError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStewardError(err)) throw new Error(`expected a StewardError, got ${String(err)}`);
  return err;
}

const MONTH = { "gpu-credits-a": { totalCost: 120_000.5, gpuCost: 100_000 }, "gpu-credits-b": { totalCost: 79_999.5, gpuCost: 70_000 }, "cpu-pool-x": { totalCost: 5_000 } };
const LAST_DAY = { "gpu-credits-a": { totalCost: 9_000, gpuCost: 8_000 }, "gpu-credits-b": { totalCost: 6_000, gpuCost: 5_000 }, "cpu-pool-x": { totalCost: 300 } };
const byWindow = (w: { start: string }) => [w.start.startsWith("2025-06-01") ? MONTH : LAST_DAY];

describe("the fake OpenCost", () => {
  it("accepts the swagger's own example under both schemas", () => {
    expect(validateSwaggerAnswer(swaggerExampleAnswer)).toBe(true);
    expect(validateStrictAnswer(swaggerExampleAnswer)).toBe(true);
  });

  it("refuses to answer with a field the swagger does not list", () => {
    const w = { start: "2025-06-01T00:00:00Z", end: "2025-06-02T00:00:00Z" };
    const body = { code: 200, status: "success", data: [{ n: { ...nodeAllocation("n", { totalCost: 1 }, w), gpuCostIdle: 0 } }] };
    expect(() => assertSwaggerShaped(body)).toThrow(/strict schema/);
  });

  it("refuses a cost that is not a number, under any node name", () => {
    // The swagger's schema only checks the keys of its example (opencost, kube-system, prometheus);
    // the strict form applies the example allocation's schema to every entry.
    const w = { start: "2025-06-01T00:00:00Z", end: "2025-06-02T00:00:00Z" };
    const body = { code: 200, status: "success", data: [{ n: { ...nodeAllocation("n", { totalCost: 1 }, w), totalCost: "1" } }] };
    expect(validateSwaggerAnswer(body)).toBe(true);
    expect(() => assertSwaggerShaped(body)).toThrow(/strict schema: body\/data\/0\/n\/totalCost must be number/);
  });
});

describe("OpenCostSpendSource", () => {
  it("sums the pool nodes' totalCost for the month so far and the last day", async () => {
    const server = await openCost(byWindow);

    const figures = await source(server.url).read(NOW);

    expect(figures).toEqual({ monthToDateUsd: 200_000, dailyRateUsd: 15_000 });
  });

  it("asks GET /allocation/compute per window with aggregate=node and only the swagger's parameters", async () => {
    const server = await openCost(byWindow);

    await source(server.url).read(NOW);

    expect(server.requests).toHaveLength(2);
    const asked = server.requests.map((r) => Object.fromEntries(r.query)).sort((a, b) => String(a.window).localeCompare(String(b.window)));
    expect(asked).toEqual([
      { window: "2025-06-01T00:00:00Z,2025-06-16T12:00:00Z", aggregate: "node" },
      { window: "2025-06-15T12:00:00Z,2025-06-16T12:00:00Z", aggregate: "node" },
    ]);
    expect(server.requests.every((r) => r.method === "GET" && r.path === "/allocation/compute")).toBe(true);
    expect(server.requests[0]!.headers.accept).toBe("application/json");
  });

  it("divides an N-day lookback by N and passes the resolution", async () => {
    const server = await openCost((w) => [w.start.startsWith("2025-06-09") ? { "gpu-credits-a": { totalCost: 70_000 } } : MONTH]);

    const figures = await source(server.url, { lookbackDays: 7, resolution: "5m" }).read(NOW);

    expect(figures.dailyRateUsd).toBe(10_000);
    expect(server.requests.map((r) => r.query.get("resolution"))).toEqual(["5m", "5m"]);
  });

  it("starts the month at the billing calendar's midnight, not UTC's", async () => {
    const server = await openCost(() => [MONTH]);

    await source(server.url, { utcOffsetMinutes: 120 }).read(NOW);

    expect(server.requests.map((r) => r.query.get("window"))).toContain("2025-05-31T22:00:00Z,2025-06-16T12:00:00Z");
  });

  it("can count only the GPU part of the cost", async () => {
    const server = await openCost(byWindow);

    const figures = await source(server.url, { costField: "gpuCost" }).read(NOW);

    expect(figures).toEqual({ monthToDateUsd: 170_000, dailyRateUsd: 13_000 });
  });

  it("adds up several step sets", async () => {
    const server = await openCost((): Array<Record<string, NodeCost>> => [{ "gpu-credits-a": { totalCost: 1 } }, { "gpu-credits-a": { totalCost: 2 }, "gpu-credits-b": { totalCost: 4 } }]);

    expect((await source(server.url).read(NOW)).monthToDateUsd).toBe(7);
  });

  it("reads the node from properties.node, so idle and unallocated entries never count", async () => {
    const w = { start: "2025-06-01T00:00:00Z", end: "2025-06-16T12:00:00Z" };
    const body = allocationAnswer([{ "gpu-credits-a": { totalCost: 10 } }], w) as { data: Array<Record<string, unknown>> };
    body.data[0]!["__idle__"] = { ...nodeAllocation("__idle__", { totalCost: 999 }, w), properties: { cluster: "cluster-one" } };
    body.data[0]!["renamed-key"] = nodeAllocation("gpu-credits-b", { totalCost: 5 }, w);
    assertSwaggerShaped(body);
    const server = await rawOpenCost(() => ({ status: 200, json: body }));

    expect((await source(server.url).read(NOW)).monthToDateUsd).toBe(15);
  });

  it("serves the newer /allocation path and keeps a base URL's path prefix", async () => {
    const server = await openCost(byWindow, "/opencost/allocation");

    const figures = await source(`${server.url}/opencost/`, { path: "/allocation" }).read(NOW);

    expect(figures.monthToDateUsd).toBe(200_000);
  });

  it("sends the configured headers", async () => {
    const server = await openCost(byWindow);

    await source(server.url, { headers: { authorization: "Bearer t0ken" } }).read(NOW);

    expect(server.requests[0]!.headers.authorization).toBe("Bearer t0ken");
  });

  it("does not ask about the empty window of the month's first second", async () => {
    const server = await openCost(() => [{ "gpu-credits-a": { totalCost: 24 } }]);

    const figures = await source(server.url).read(Date.parse("2025-07-01T00:00:00.500Z"));

    expect(figures).toEqual({ monthToDateUsd: 0, dailyRateUsd: 24 });
    expect(server.requests).toHaveLength(1);
  });
});

describe("OpenCostSpendSource failures", () => {
  it.each([
    { name: "HTTP 500 with a text body", answer: { status: 500, text: "upstream prometheus unreachable" }, want: /HTTP 500: upstream prometheus unreachable/ },
    { name: "HTTP 400 with OpenCost's JSON message", answer: { status: 400, json: { code: 400, message: "invalid window" } }, want: /HTTP 400: invalid window/ },
    { name: "a body that is not JSON", answer: { status: 200, text: "<html>login</html>", contentType: "text/html" }, want: /body is not JSON: <html>login<\/html>/ },
    { name: "no data array", answer: { status: 200, json: { code: 200, status: "success" } }, want: /unexpected body: data: / },
    { name: "a cost that is a string", answer: { status: 200, json: { code: 200, data: [{ "gpu-credits-a": { totalCost: "12" } }] } }, want: /unexpected body: data\[0\]\["gpu-credits-a"\]\.totalCost: / },
    { name: "an error code inside a 200", answer: { status: 200, json: { code: 500, status: "error", message: "query failed", data: [] } }, want: /answered code 500: query failed/ },
  ] satisfies Array<{ name: string; answer: FakeAnswer; want: RegExp }>)("$name → SPEND_SOURCE naming OpenCost and the URL", async ({ answer, want }) => {
    const server = await rawOpenCost(() => answer);

    const err = await failure(source(server.url).read(NOW));

    expect(err.code).toBe("SPEND_SOURCE");
    expect(err.message).toMatch(/^opencost: GET http:\/\/127\.0\.0\.1:\d+\/allocation\/compute\?window=/);
    expect(err.message).toMatch(want);
  });

  it("names the body field of a malformed answer", async () => {
    const server = await rawOpenCost(() => ({ status: 200, json: { code: 200, data: [{ "gpu-credits-a": { totalCost: "12" } }] } }));

    const err = await failure(source(server.url).read(NOW));

    expect(err.field).toBe('data[0]["gpu-credits-a"].totalCost');
  });

  it("refuses a pool node whose cost OpenCost wrote as null (NaN), and ignores it on other nodes", async () => {
    // Beyond the swagger: OpenCost's encoder writes NaN and ±Inf costs as null.
    const w = { start: "2025-06-01T00:00:00Z", end: "2025-06-16T12:00:00Z" };
    const nulled = (node: string) => ({ ...nodeAllocation(node, { totalCost: 0 }, w), totalCost: null });
    let poolNodeNull = false;
    const server = await rawOpenCost(() => ({ status: 200, json: { code: 200, status: "success", data: [{ "cpu-pool-x": nulled("cpu-pool-x"), ...(poolNodeNull && { "gpu-credits-a": nulled("gpu-credits-a") }) }] } }));

    expect(await source(server.url).read(NOW)).toEqual({ monthToDateUsd: 0, dailyRateUsd: 0 });
    poolNodeNull = true;
    const err = await failure(source(server.url).read(NOW));
    expect(err.message).toMatch(/pool node gpu-credits-a has no cost/);
    expect(err.field).toBe('data[0]["gpu-credits-a"].totalCost');
  });

  it("refuses a negative pool total", async () => {
    const server = await openCost(() => [{ "gpu-credits-a": { totalCost: -3 } }]);

    expect((await failure(source(server.url).read(NOW))).message).toMatch(/negative \(-3 USD\)/);
  });

  it("times out a server that does not answer", async () => {
    const server = await rawOpenCost(() => ({ hang: true }));

    const err = await failure(source(server.url, { timeoutMs: 50 }).read(NOW));

    expect(err.message).toMatch(/^opencost: GET http:\/\/127\.0\.0\.1:\d+\/allocation\/compute\?.*: no answer within 50 ms$/);
  });

  it("stops when the caller cancels", async () => {
    const server = await rawOpenCost(() => ({ hang: true }));
    const cancel = new AbortController();

    const pending = failure(source(server.url).read(NOW, cancel.signal));
    cancel.abort();

    expect((await pending).message).toMatch(/: cancelled$/);
  });

  it("reports a refused connection", async () => {
    const err = await failure(source(await closedPortUrl()).read(NOW));

    expect(err.message).toMatch(/request failed: ECONNREFUSED/);
  });

  it("stops reading a body over the size limit", async () => {
    const server = await openCost(byWindow);

    const err = await failure(source(server.url, { maxBodyBytes: 1_000 }).read(NOW));

    expect(err.message).toMatch(/HTTP 200 body is over 1000 bytes/);
  });

  it("sends a base URL's credentials as basic auth and never prints them", async () => {
    const server = await rawOpenCost(() => ({ status: 503, text: "busy" }));

    const err = await failure(source(server.url.replace("http://", "http://admin:s3cret@")).read(NOW));

    expect(err.message).not.toMatch(/s3cret|admin/);
    expect(err.message).toMatch(/HTTP 503: busy/);
    expect(server.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from("admin:s3cret").toString("base64")}`);
  });

  it.each([
    { opts: { baseUrl: "opencost:9003" }, field: "opencost.baseUrl" },
    { opts: { baseUrl: "ftp://opencost" }, field: "opencost.baseUrl" },
    { opts: { lookbackDays: 0 }, field: "opencost.lookbackDays" },
    { opts: { utcOffsetMinutes: 30.5 }, field: "opencost.utcOffsetMinutes" },
  ])("refuses $field at construction", ({ opts, field }) => {
    expect(() => source("http://opencost:9003", opts)).toThrow(expect.objectContaining({ code: "CONFIG_INVALID", field }));
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadServeConfig, startServe, type RunningServer } from "../../cmd/serve.js";
import { startFakeServer, type FakeServer } from "../extender/spend/sources/fakeHttp.js";
import { checkInstantQuery, scalarAnswer } from "../extender/spend/sources/prometheusFake.js";

let server: RunningServer;
let prometheus: FakeServer;

beforeAll(async () => {
  // Month to date $1,000 of a $50,000 budget at $100/day: well under the line, so the pool is open.
  prometheus = await startFakeServer((req) => {
    const { query, timeS } = checkInstantQuery(req);
    return scalarAnswer(timeS, query.startsWith("mtd") ? "1000" : "100");
  });
  const config = loadServeConfig({
    flags: {
      "webhook-port": "0",
      "extender-port": "0",
      "metrics-port": "0",
      "state-dir": mkdtempSync(join(tmpdir(), "steward-spend-")),
      "bind-address": "127.0.0.1",
      "spend-source": "prometheus",
      "spend-budget-usd": "50000",
      "prometheus-url": prometheus.url,
      "prometheus-mtd-query": "mtd_spend",
      "prometheus-rate-query": "daily_rate",
    },
    env: {},
  });
  server = await startServe(config, { log: pino({ level: "silent" }) });
});
afterAll(async () => {
  await server?.stop();
  await prometheus?.close();
});

describe("steward controller with spend routing, standalone", () => {
  it("runs the spend loop and shows its routing at GET /v1/spend and on /metrics", async () => {
    const base = `http://127.0.0.1:${server.extenderPort}`;
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 100 && status.routing == null; i++) {
      status = (await (await fetch(`${base}/v1/spend`)).json()) as Record<string, unknown>;
      if (status.routing == null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status, JSON.stringify(status)).toMatchObject({ enabled: true, pool: "credits", source: "prometheus" });
    expect(status.routing, JSON.stringify(status)).toMatchObject({ pool: "credits", closed: false, routingPct: expect.any(Number) });
    expect(prometheus.requests.map((r) => r.query.get("query"))).toEqual(expect.arrayContaining(["mtd_spend", "daily_rate"]));
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/gpu_steward_spend_routing_percent\{[^}]*\} \d/);
  });
});

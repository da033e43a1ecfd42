import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { runSpendStatus } from "../../cmd/spendStatus.js";
import { createSpendStatusApi } from "../../extender/spend/index.js";
import { isStewardError, type StewardError } from "../../platform/errors.js";
import { loopFixture, type LoopFixture } from "../extender/spend/loopHarness.js";
import { captured } from "../builders/capturedOutput.js";


async function listening(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function failure(promise: Promise<unknown>): Promise<StewardError> {
  try {
    await promise;
  } catch (err) {
    if (isStewardError(err)) return err;
    throw err;
  }
  throw new Error("expected a StewardError");
}

describe("steward spend status", () => {
  let f: LoopFixture | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    f?.dispose();
    if (server) await new Promise((resolve) => server!.close(resolve));
    server = undefined;
  });

  it("prints the controller's /v1/spend answer as one JSON document", async () => {
    f = loopFixture();
    await f.loop.step();
    const served = await listening(express().use(createSpendStatusApi({ loop: f.loop })));
    server = served.server;
    const out = captured();

    expect(await runSpendStatus({ url: `${served.url}/` }, out)).toBe(0);

    const text = out.text();
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ enabled: true, pool: "credits", source: "fixed", routing: f.loop.routing(), reason: "controlled" });
  });

  it("fails with SPEND_STATUS_UNAVAILABLE naming the URL when nothing listens", async () => {
    const closed = await listening(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));

    const err = await failure(runSpendStatus({ url: closed.url }, captured()));

    expect(err.code).toBe("SPEND_STATUS_UNAVAILABLE");
    expect(err.message).toBe(`GET ${closed.url}/v1/spend: ECONNREFUSED; is the controller running and --url its extender port?`);
  });

  it("fails when the controller does not answer in time", async () => {
    const served = await listening(() => undefined); // never answers
    server = served.server;
    const err = await failure(runSpendStatus({ url: served.url, "timeout-ms": "50" }, captured()));
    expect(err.code).toBe("SPEND_STATUS_UNAVAILABLE");
    expect(err.message).toContain("no answer within 50 ms");
    server.closeAllConnections();
  });

  it("fails with the server's message on an error status (an older controller without /v1/spend)", async () => {
    const served = await listening((_req, res) => res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ code: "NOT_FOUND", message: "GET /v1/spend is not served here" })));
    server = served.server;
    const err = await failure(runSpendStatus({ url: served.url }, captured()));
    expect(err.code).toBe("SPEND_STATUS_UNAVAILABLE");
    expect(err.message).toContain("HTTP 404: GET /v1/spend is not served here");
  });

  it.each([
    { flags: { url: "controller:8888" }, message: /--url: expected an http\(s\) URL/ },
    { flags: { url: true }, message: /--url needs a value/ },
    { flags: { "timeout-ms": "soon" }, message: /--timeout-ms: expected a positive integer/ },
  ])("refuses $flags as USAGE", async ({ flags, message }) => {
    const err = await failure(runSpendStatus(flags, captured()));
    expect(err.code).toBe("USAGE");
    expect(err.message).toMatch(message);
  });
});

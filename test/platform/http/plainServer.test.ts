import { Agent, get } from "node:http";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { listen } from "../../../platform/http/listen.js";
import { createPlainServer } from "../../../platform/http/plainServer.js";
import { capturedLogger } from "./tlsProbe.js";

const handler = (_req: unknown, res: { end(body: string): void }) => res.end("# metrics\n");

describe("createPlainServer", () => {
  it("serves plain HTTP with the handler", async () => {
    const { server } = createPlainServer({ handler, log: capturedLogger().log });
    const res = await request(server).get("/metrics");
    expect(res.status).toBe(200);
    expect(res.text).toBe("# metrics\n");
  });

  it("uses the same keep-alive and request timeouts as the TLS server", () => {
    const { server } = createPlainServer({ handler, log: capturedLogger().log });
    expect(server.keepAliveTimeout).toBeGreaterThanOrEqual(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    expect(server.requestTimeout).toBe(30_000);
  });

  it("logs the bound port and closes while a client holds an idle keep-alive connection", async () => {
    const { log, lines } = capturedLogger();
    const plain = createPlainServer({ handler, log });
    const { port } = await listen(plain.server, 0, "127.0.0.1");
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      get({ host: "127.0.0.1", port, path: "/metrics", agent }, (res) => res.resume().on("end", resolve)).on(
        "error",
        reject,
      ),
    );

    await plain.close();

    expect(plain.server.listening).toBe(false);
    expect(lines).toContainEqual(expect.objectContaining({ msg: "http server listening", port, tls: false }));
    agent.destroy();
  });
});

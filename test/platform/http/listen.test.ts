import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../../platform/http/listen.js";

const opened: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function aServer() {
  const server = createServer();
  opened.push(server);
  return server;
}

describe("listen", () => {
  it("resolves with the port the system picked for port 0", async () => {
    const server = aServer();
    const { port } = await listen(server, 0, "127.0.0.1");
    expect(port).toBeGreaterThan(0);
    expect(server.address()).toMatchObject({ port });
  });

  it("rejects naming the port when it is already in use", async () => {
    const { port } = await listen(aServer(), 0, "127.0.0.1");
    const second = aServer();

    const failure = listen(second, port, "127.0.0.1");

    await expect(failure).rejects.toThrow(`127.0.0.1 port ${port} is already in use`);
    await expect(failure).rejects.toMatchObject({ cause: { code: "EADDRINUSE" } });
    expect(second.listening).toBe(false);
  });
});

import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { applyServerTimeouts, closeServer } from "./timeouts.js";

export interface PlainServerOptions {
  handler: RequestListener;
  log: Logger;
}

export interface PlainServer {
  server: Server;
  close(): Promise<void>;
}

/** Plain HTTP (metrics, health) with the same keep-alive and timeout settings as the TLS server. */
export function createPlainServer(opts: PlainServerOptions): PlainServer {
  const server = createServer(opts.handler);
  applyServerTimeouts(server);
  server.on("listening", () => {
    opts.log.info({ port: (server.address() as AddressInfo).port, tls: false }, "http server listening");
  });
  return { server, close: () => closeServer(server) };
}

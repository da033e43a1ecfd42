/**
 * A local node:http server for contract tests: records every request and answers what the test's
 * handler returns. `hang` leaves the request unanswered (for timeouts); `close` drops open sockets.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export type FakeAnswer =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType?: string }
  | { hang: true };

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(answer: (req: RecordedRequest) => FakeAnswer): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded = { method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(recorded);
    let a: FakeAnswer;
    try {
      a = answer(recorded);
    } catch (err) {
      // A contract violation found by the fake: answer 599 so the test sees it, and keep the reason.
      res.writeHead(599, { "content-type": "text/plain" }).end(`fake: ${(err as Error).message}`);
      return;
    }
    if ("hang" in a) return;
    if ("json" in a) {
      res.writeHead(a.status, { "content-type": "application/json" }).end(JSON.stringify(a.json));
    } else {
      res.writeHead(a.status, { "content-type": a.contentType ?? "text/plain" }).end(a.text);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind one, note it, release it. */
export async function closedPortUrl(): Promise<string> {
  const fake = await startFakeServer(() => ({ status: 204, text: "" }));
  await fake.close();
  return fake.url;
}

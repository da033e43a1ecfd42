/**
 * A fake IBM ADO REST server for the autoconf experiments (spec admission-autoconf.md §1.6), on
 * 127.0.0.1 with an ephemeral port. Records every request. Does not simulate: the classifier (answers
 * are scripted), ADO's other endpoints, authentication, or request ids surviving a restart.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

export interface Reply {
  status: number;
  body: string;
  /** Never answer (the client must give up at its deadline). */
  hang?: boolean;
}

export interface FakeAdoBehaviour {
  /** Answer to the POST; default `["req-1"]`. */
  submit?: (req: RecordedRequest) => Reply;
  /** Answer to the n-th GET (n from 1) of a request id; default `answer` after `pendingPolls` 404s. */
  result?: (requestId: string, n: number) => Reply;
  /** 404s before the answer (default 0). */
  pendingPolls?: number;
  /** Measurements of the 200 answer; default 1 worker × 2 GPUs. */
  answer?: Record<string, unknown>;
}

export interface FakeAdo {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const REQUESTS_RE = /^\/api\/latest\/actuators\/custom_experiments\/experiments\/([^/]+)\/requests(?:\/([^/]+))?$/;

/** The §1.6 GET body: one entity, one measurement result, outputs under targetProperty.identifier. */
export function adoResultBody(outputs: Record<string, unknown>): string {
  return JSON.stringify({
    entities: [
      {
        identifier: "entity-1",
        measurement_results: [
          {
            measurements: Object.entries(outputs).map(([identifier, value]) => ({
              value,
              property: { targetProperty: { identifier } },
            })),
          },
        ],
      },
    ],
  });
}

export const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });

export async function startFakeAdo(behaviour: FakeAdoBehaviour = {}): Promise<FakeAdo> {
  const requests: RecordedRequest[] = [];
  const polls = new Map<string, number>();
  const answer = behaviour.answer ?? { can_recommend: 1, gpus: 2, workers: 1 };
  const defaultResult = (_id: string, n: number): Reply =>
    n <= (behaviour.pendingPolls ?? 0) ? json(404, { detail: "pending" }) : { status: 200, body: adoResultBody(answer) };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        contentType: req.headers["content-type"],
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const match = REQUESTS_RE.exec(recorded.path);
      let reply: Reply;
      if (!match) reply = json(404, { detail: "no such route" });
      else if (recorded.method === "POST" && match[2] === undefined) {
        reply = behaviour.submit ? behaviour.submit(recorded) : json(200, ["req-1"]);
      } else if (recorded.method === "GET" && match[2] !== undefined) {
        const id = decodeURIComponent(match[2]);
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        reply = (behaviour.result ?? defaultResult)(id, n);
      } else reply = json(405, { detail: "method not allowed" });
      if (reply.hang) return;
      res.writeHead(reply.status, { "Content-Type": "application/json" });
      res.end(reply.body);
    });
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

/** A URL on which nothing listens: a port that was just bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

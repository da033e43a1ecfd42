/** Keep-alive HTTP(S) POSTs with a timing, and a small concurrency pool, for the fuzzers. */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

export interface Answer {
  status: number;
  body: string;
  ms: number;
  /** Connection error, reset, or no answer within the hard limit. */
  error?: string;
}

export interface Poster {
  post(path: string, body: string): Promise<Answer>;
  close(): void;
}

/** Hard limit on one call: an answer this late is counted as a timeout and the socket dropped. */
const HARD_LIMIT_MS = 30_000;

export function poster(baseUrl: string, concurrency: number): Poster {
  const url = new URL(baseUrl);
  const tls = url.protocol === "https:";
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false })
    : new HttpAgent({ keepAlive: true, maxSockets: concurrency });
  const request = tls ? httpsRequest : httpRequest;
  return {
    post(path, body) {
      const start = performance.now();
      return new Promise<Answer>((resolve) => {
        const payload = Buffer.from(body, "utf8");
        const req = request(
          { host: url.hostname, port: url.port, path, method: "POST", agent, headers: { "content-type": "application/json", "content-length": payload.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - start }));
            res.on("error", (err) => resolve({ status: 0, body: "", ms: performance.now() - start, error: `response: ${err.message}` }));
          },
        );
        req.setTimeout(HARD_LIMIT_MS, () => req.destroy(new Error(`no answer in ${HARD_LIMIT_MS} ms`)));
        req.on("error", (err) => resolve({ status: 0, body: "", ms: performance.now() - start, error: err.message }));
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** Runs `task(i)` for i in [0, count) on `concurrency` workers. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

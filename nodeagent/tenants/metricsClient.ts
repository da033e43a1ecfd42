/**
 * How the agent reads a pod's `/metrics`: a port, so tests serve fixtures from local HTTP servers or
 * from memory. The HTTP one bounds the time and the size (a vLLM dump is ~50 KB; 4 MiB means a wrong
 * port, not metrics).
 */
export interface MetricsClient {
  /** The body of a 200; throws an Error naming the URL otherwise. */
  get(url: string, timeoutMs: number): Promise<string>;
}

export const MAX_METRICS_BYTES = 4 * 1024 * 1024;

export class HttpMetricsClient implements MetricsClient {
  async get(url: string, timeoutMs: number): Promise<string> {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "text/plain;version=0.0.4" } });
    } catch (err) {
      const e = err as Error;
      throw new Error(e.name === "TimeoutError" ? `GET ${url}: no answer within ${timeoutMs} ms` : `GET ${url}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`GET ${url}: HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > MAX_METRICS_BYTES) {
      await res.body?.cancel();
      throw new Error(`GET ${url}: ${declared} bytes is over the ${MAX_METRICS_BYTES}-byte limit`);
    }
    const text = await res.text();
    if (Buffer.byteLength(text) > MAX_METRICS_BYTES) throw new Error(`GET ${url}: body over the ${MAX_METRICS_BYTES}-byte limit`);
    return text;
  }
}

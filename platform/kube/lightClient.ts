/**
 * A small Kubernetes API client over node:http(s), for the node agent.
 *
 * Why not client-node: the agent runs on every GPU node under a 60 MiB RSS budget, and importing
 * @kubernetes/client-node alone takes a bare node process from ~42 to ~113 MiB (its generated models,
 * node-fetch, its auth plugins). The agent makes five kinds of call (list/watch pods, GET and PATCH
 * its Node, two applies, POST an Event), so it speaks HTTP itself. Nothing here, nor in what it
 * imports, may import client-node at runtime (type-only imports are erased).
 *
 * What it does: JSON in and out, a bearer token read per request (so a rotated service-account token
 * is picked up), the cluster CA for TLS, a deadline per request, and every failure as the typed errors
 * of errors.ts: an HTTP error from the Status body the API server sends (code, reason, message), a
 * transport failure (refused, reset, TLS, timeout) as KubeApiError 0. Messages name the verb and path.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { KubeApiError, kubeErrorFor } from "./errors.js";

/** Where the API server is and how to prove who we are. */
export interface ApiServerConnection {
  /** Base URL, e.g. `https://10.96.0.1:443` (a path prefix, as behind `kubectl proxy`, is kept). */
  server: string;
  /** The bearer token, asked for on every request: the in-cluster one rotates (inClusterCredentials.ts). */
  token?: () => string | undefined;
  /** PEM of the CA that signed the API server's certificate; absent: the system roots. */
  ca?: string | Buffer;
}

export interface LightClientOptions {
  /**
   * Deadline of one request (not of a watch, which the caller bounds with timeoutSeconds and a
   * watchdog). The agent awaits its report writes inside the poll loop: a hung API server must cost
   * one poll's report, not stop the polls.
   */
  requestTimeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** How much of an error answer is read for its Status: Status objects are small; a proxy's HTML page is cut. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** TCP keepalive on watch sockets, as client-node sets it: a dead peer is noticed without waiting for the watchdog. */
const WATCH_KEEPALIVE_MS = 30_000;

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestSpec {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Path under the server, e.g. `/api/v1/nodes/gpu-1`; segments already escaped by the caller. */
  path: string;
  query?: Query;
  /** Sent as JSON (JSON is also YAML, so apply patches use it too). */
  body?: unknown;
  /** Content-Type of the body; default `application/json`. */
  contentType?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The metav1.Status the API server answers errors with, as far as we read it; the raw text when it is not one. */
export function statusOf(text: string): { reason?: string; message?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    return trimmed === "" ? {} : { message: trimmed.slice(0, 512) };
  }
  if (!isRecord(parsed)) return {};
  return {
    ...(typeof parsed["reason"] === "string" && { reason: parsed["reason"] }),
    ...(typeof parsed["message"] === "string" && { message: parsed["message"] }),
  };
}

/** `what` names the call in every error: `PATCH /api/v1/nodes/gpu-1`. */
export function describeRequest(method: string, path: string): string {
  return `${method} ${path}`;
}

export class LightKubeClient {
  readonly #base: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;
  readonly #token: () => string | undefined;
  readonly #timeoutMs: number;

  constructor(connection: ApiServerConnection, options: LightClientOptions = {}) {
    this.#base = new URL(connection.server);
    const tls = this.#base.protocol === "https:";
    if (!tls && this.#base.protocol !== "http:") throw new KubeApiError(0, "Unknown", `API server ${connection.server}: not an http(s) URL`);
    // Keep-alive: the agent calls every poll; a fresh TLS handshake each time costs more CPU than the call.
    this.#agent = tls ? new HttpsAgent({ keepAlive: true, ...(connection.ca !== undefined && { ca: connection.ca }) }) : new HttpAgent({ keepAlive: true });
    this.#request = tls ? (httpsRequest as typeof httpRequest) : httpRequest;
    this.#token = connection.token ?? (() => undefined);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** The server's base URL, as given. */
  get server(): string {
    return this.#base.href;
  }

  /** One request; resolves to the parsed JSON answer (undefined for an empty body). `what` defaults to `METHOD path`. */
  async json(spec: RequestSpec, what = describeRequest(spec.method, spec.path)): Promise<unknown> {
    const res = await this.#send(spec, what, { timeoutMs: this.#timeoutMs });
    const text = await readText(res, Infinity, what, this.#timeoutMs);
    if (text === "") return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new KubeApiError(500, "InternalError", `${what}: the answer is not JSON`, { cause: err });
    }
  }

  /**
   * A streaming GET (a watch): resolves with the response once a 2xx status is in, its body unread;
   * a non-2xx answer rejects with the typed error of its Status. No deadline: `signal` ends it.
   */
  stream(path: string, query: Query, signal: AbortSignal, what = describeRequest("GET", path)): Promise<IncomingMessage> {
    return this.#send({ method: "GET", path, query }, what, { signal, keepAliveMs: WATCH_KEEPALIVE_MS });
  }

  /** Closes idle kept-alive sockets (tests, shutdown); open watches end through their signals. */
  close(): void {
    this.#agent.destroy();
  }

  #url(path: string, query: Query | undefined): URL {
    // Keep a path prefix of the server URL (`https://host/prefix` + `/api/v1/...`).
    const url = new URL(this.#base.href.replace(/\/$/, "") + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  #send(spec: RequestSpec, what: string, o: { timeoutMs?: number; signal?: AbortSignal; keepAliveMs?: number }): Promise<IncomingMessage> {
    const url = this.#url(spec.path, spec.query);
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body), "utf8");
    let token: string | undefined;
    try {
      token = this.#token();
    } catch (err) {
      return Promise.reject(new KubeApiError(0, "Unknown", `${what}: no token: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
    const headers: Record<string, string | number> = {
      accept: "application/json",
      ...(token !== undefined && token !== "" && { authorization: `Bearer ${token}` }),
      ...(payload !== undefined && { "content-type": spec.contentType ?? "application/json", "content-length": payload.length }),
    };
    const options: RequestOptions = { method: spec.method, agent: this.#agent, headers };
    return new Promise((resolve, reject) => {
      const signal = o.signal;
      if (signal?.aborted) return reject(new KubeApiError(0, "Unknown", `${what}: aborted`));
      let timer: NodeJS.Timeout | undefined;
      let response: IncomingMessage | undefined;
      const req = this.#request(url, options, (res) => {
        clearTimeout(timer);
        response = res;
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) return resolve(res);
        // The Status body names the reason (410 Expired vs Gone, 409 AlreadyExists vs Conflict).
        readText(res, MAX_ERROR_BODY_BYTES, what, this.#timeoutMs).then(
          (text) => {
            const status = statusOf(text);
            reject(kubeErrorFor(code, status.reason, what, status.message ?? `HTTP ${code}`));
          },
          () => reject(kubeErrorFor(code, undefined, what, `HTTP ${code}`)),
        );
      });
      if (o.timeoutMs !== undefined) {
        const ms = o.timeoutMs;
        timer = setTimeout(() => req.destroy(new Error(`no answer within ${ms} ms`)), ms);
      }
      if (signal !== undefined) {
        // Not http.request's `signal` option: once the answer is in, it destroys the request with an
        // AbortError that can surface with no listener left. Before the answer: fail the request; after:
        // end the response (a watch being stopped), which closes its socket.
        const onAbort = (): void => {
          if (response === undefined) req.destroy(new Error("aborted"));
          else response.destroy();
        };
        signal.addEventListener("abort", onAbort, { once: true });
        req.once("close", () => signal.removeEventListener("abort", onAbort));
      }
      if (o.keepAliveMs !== undefined) {
        const ms = o.keepAliveMs;
        req.once("socket", (socket) => socket.setKeepAlive(true, ms));
      }
      req.on("error", (err) => {
        clearTimeout(timer);
        // No response (or none usable): refused, reset, DNS, TLS, timeout, aborted.
        reject(new KubeApiError(0, "Unknown", `${what}: ${err.message}`, { cause: err }));
      });
      req.end(payload);
    });
  }
}

/** The whole body as UTF-8 text, at most `maxBytes` of it, within `timeoutMs` (a body that stalls is a failure). */
function readText(res: IncomingMessage, maxBytes: number, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => res.destroy(new Error(`body not received within ${timeoutMs} ms`)), timeoutMs);
    res.on("data", (chunk: Buffer) => {
      if (size >= maxBytes) return;
      chunks.push(chunk);
      size += chunk.length;
    });
    res.once("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).subarray(0, maxBytes === Infinity ? undefined : maxBytes).toString("utf8"));
    });
    const fail = (detail: string, cause?: unknown): void => {
      clearTimeout(timer);
      reject(new KubeApiError(0, "Unknown", `${what}: ${detail}`, cause === undefined ? undefined : { cause }));
    };
    res.on("error", (err) => fail(err.message, err));
    // A connection cut mid-body: `close` without `end` (settling twice is harmless).
    res.once("close", () => {
      if (!res.complete) fail("connection closed before the answer was complete");
    });
  });
}

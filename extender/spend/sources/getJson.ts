/**
 * One GET that answers JSON, bounded in time and size. Network failures, timeouts and oversized
 * bodies become `SPEND_SOURCE` errors here; the HTTP status and the parsed body go back to the
 * adapter, which knows what its API says on errors.
 */
import { isStewardError } from "../../../platform/errors.js";
import { spendSourceError } from "./sourceError.js";

export interface GetJsonOptions {
  /** Source name for error messages. */
  source: string;
  timeoutMs: number;
  headers?: Readonly<Record<string, string>>;
  /** The caller's cancellation (loop shutdown, lost leadership). */
  signal?: AbortSignal;
  maxBodyBytes: number;
  fetch?: typeof fetch;
}

export interface JsonAnswer {
  status: number;
  /** The raw text, for error messages. */
  text: string;
  /** The parsed body, or undefined when the text is not JSON. */
  json: unknown;
}

/** The seed's Ternary timeout; a spend cycle runs hourly, so waiting 10 s costs nothing. */
export const DEFAULT_SOURCE_TIMEOUT_MS = 10_000;
/** ~1.5 KB per node allocation × 5,000 nodes ≈ 7.5 MB; 64 MiB leaves room for steps and clusters. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Enough of an error body to recognise it in a log line without flooding it. */
const SNIPPET_CHARS = 200;

export function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_CHARS ? `${flat.slice(0, SNIPPET_CHARS)}…` : flat;
}

export async function getJson(url: URL, opts: GetJsonOptions): Promise<JsonAnswer> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal === undefined ? timeout : AbortSignal.any([timeout, opts.signal]);
  const doFetch = opts.fetch ?? fetch;
  try {
    const { target, authorization } = splitCredentials(url);
    const headers = { accept: "application/json", ...(authorization !== undefined && { authorization }), ...opts.headers };
    const response = await doFetch(target, { method: "GET", headers, signal });
    const text = await readCapped(response, opts.maxBodyBytes);
    if (text === undefined) {
      throw spendSourceError(opts.source, url, `HTTP ${response.status} body is over ${opts.maxBodyBytes} bytes`);
    }
    return { status: response.status, text, json: parseOrUndefined(text) };
  } catch (err) {
    if (isStewardError(err)) throw err;
    if (timeout.aborted) throw spendSourceError(opts.source, url, `no answer within ${opts.timeoutMs} ms`);
    if (opts.signal?.aborted) throw spendSourceError(opts.source, url, "cancelled");
    throw spendSourceError(opts.source, url, `request failed: ${networkReason(err)}`);
  }
}

/**
 * fetch refuses URLs with credentials (`http://user:pass@host`); a URL written that way in the
 * config means basic auth, so it becomes the header and leaves the URL (and every message).
 */
function splitCredentials(url: URL): { target: URL; authorization?: string } {
  if (url.username === "" && url.password === "") return { target: url };
  const target = new URL(url.href);
  target.username = "";
  target.password = "";
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { target, authorization: `Basic ${Buffer.from(pair, "utf8").toString("base64")}` };
}

/** The body as text, or undefined once it passes `maxBytes` (the rest is not read). */
async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the adapter reports the status and a snippet of the text instead.
    return undefined;
  }
}

/** undici wraps the socket error in `cause` (`fetch failed` alone says nothing). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return cause.code;
  if (cause?.message !== undefined) return cause.message;
  return err instanceof Error ? err.message : String(err);
}

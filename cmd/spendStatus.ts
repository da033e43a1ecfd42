/**
 * `steward spend status`: asks a running controller for its live spend routing (`GET /v1/spend` on
 * the extender port) and prints the answer as one JSON document. Any replica answers; `leader` says
 * whether it is the one deciding. For a self-signed `--extender-tls` certificate, point
 * NODE_EXTRA_CA_CERTS at its CA file.
 */
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";

export const SPEND_STATUS_PATH = "/v1/spend";
/** The controller answers from memory in microseconds; 5 s only runs out when it is unreachable or stuck. */
export const DEFAULT_STATUS_TIMEOUT_MS = 5_000;

export const spendStatusOptions: readonly OptionSpec[] = [
  { flag: "url", path: "url", kind: "string", help: "the controller's extender port, e.g. http://gpu-steward.gpu-steward:8888", defaultText: "http://localhost:8888" },
  { flag: "timeout-ms", path: "timeoutMs", kind: "integer", help: "how long to wait for the answer", defaultText: String(DEFAULT_STATUS_TIMEOUT_MS) },
];

export type SpendStatusFlags = Readonly<Record<string, string | boolean | undefined>>;

export interface SpendStatusDeps {
  fetch?: typeof fetch;
}

function statusUrl(flags: SpendStatusFlags): URL {
  const raw = flags.url ?? "http://localhost:8888";
  if (typeof raw !== "string") throw new StewardError("USAGE", "--url needs a value (the controller's extender port URL)", "url");
  let base: URL;
  try {
    base = new URL(raw);
  } catch {
    throw new StewardError("USAGE", `--url: expected an http(s) URL, got ${JSON.stringify(raw)}`, "url");
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new StewardError("USAGE", `--url: expected an http(s) URL, got ${JSON.stringify(raw)}`, "url");
  }
  // Kept as a prefix: the controller may sit behind a proxy path.
  return new URL(`${base.href.replace(/\/+$/, "")}${SPEND_STATUS_PATH}`);
}

function timeoutMs(flags: SpendStatusFlags): number {
  const raw = flags["timeout-ms"];
  if (raw === undefined) return DEFAULT_STATUS_TIMEOUT_MS;
  const ms = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 1) throw new StewardError("USAGE", `--timeout-ms: expected a positive integer, got ${JSON.stringify(raw)}`, "timeout-ms");
  return ms;
}

/** undici hides the socket error under `cause` (`fetch failed` alone says nothing). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Prints the controller's spend status; returns the exit code (0). Throws USAGE for bad flags and
 * SPEND_STATUS_UNAVAILABLE (exit 1 in main) when the controller does not answer with a status.
 */
export async function runSpendStatus(flags: SpendStatusFlags, out: NodeJS.WritableStream, deps: SpendStatusDeps = {}): Promise<number> {
  const url = statusUrl(flags);
  const limitMs = timeoutMs(flags);
  const unavailable = (reason: string) =>
    new StewardError("SPEND_STATUS_UNAVAILABLE", `GET ${url.href}: ${reason}; is the controller running and --url its extender port?`, "url");
  let response: Response;
  let text: string;
  try {
    response = await (deps.fetch ?? fetch)(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(limitMs) });
    text = await response.text();
  } catch (err) {
    if ((err as Error).name === "TimeoutError") throw unavailable(`no answer within ${limitMs} ms`);
    throw unavailable(networkReason(err));
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unavailable(`HTTP ${response.status}, body is not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const message = (body as { message?: unknown } | null)?.message;
    throw unavailable(`HTTP ${response.status}: ${typeof message === "string" ? message : text.slice(0, 200)}`);
  }
  out.write(`${JSON.stringify(body, null, 2)}\n`);
  return 0;
}

/**
 * /metrics, /healthz and /readyz on plain node:http, for the node agent: the same answers as
 * opsApp.ts's express app (which the other roles serve) without loading express, whose import the
 * agent's 60 MiB budget cannot carry. Liveness only says the event loop answers; readiness says the
 * process's own checks pass, so a rolling update waits for it.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Registry } from "prom-client";

/** A check that gates /readyz: ready when every check answers undefined, else the reasons. */
export type ReadinessCheck = () => string | undefined;

export interface Readiness {
  add(name: string, check: ReadinessCheck): void;
  /** Reasons the process is not ready; empty when ready. */
  failing(): string[];
}

export function createReadiness(): Readiness {
  const checks = new Map<string, ReadinessCheck>();
  return {
    add: (name, check) => void checks.set(name, check),
    failing: () =>
      [...checks.entries()].flatMap(([name, check]) => {
        const reason = check();
        return reason === undefined ? [] : [`${name}: ${reason}`];
      }),
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(req.method === "HEAD" ? undefined : body);
}

const TEXT = "text/plain; charset=utf-8";

export function createOpsHandler(registry: Registry, readiness: Readiness): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const get = req.method === "GET" || req.method === "HEAD";
    if (get && path === "/healthz") return send(req, res, 200, TEXT, "ok");
    if (get && path === "/readyz") {
      const failing = readiness.failing();
      return failing.length === 0 ? send(req, res, 200, TEXT, "ok") : send(req, res, 503, TEXT, `not ready:\n${failing.join("\n")}\n`);
    }
    if (get && path === "/metrics") {
      registry.metrics().then(
        (text) => send(req, res, 200, registry.contentType, text),
        () => send(req, res, 500, TEXT, "Internal Server Error"),
      );
      return;
    }
    send(req, res, 404, "application/json; charset=utf-8", JSON.stringify({ code: "NOT_FOUND", message: `no route for ${req.method} ${path}` }));
  };
}

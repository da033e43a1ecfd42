import type { Server } from "node:http";

/**
 * Idle keep-alive sockets live longer than the 60 s idle timeout common to cloud load
 * balancers, so the balancer (or the API server's connection pool) closes first and never
 * sends a request onto a socket we are closing.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/**
 * Kept above keepAliveTimeout: on Node < 18 the header timer started when a kept-alive
 * socket went idle, and a smaller value cut idle connections with a 408/502. On Node ≥ 18
 * it runs from a request's first byte, and requestTimeout (below) is the tighter bound.
 */
export const HEADERS_TIMEOUT_MS = 66_000;
/** A whole request, headers and body; admission and extender calls are small and time out at ≤ 30 s upstream. */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Set as properties rather than constructor options: the constructor refuses a
 * headersTimeout above requestTimeout, the property setters do not.
 */
export function applyServerTimeouts(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
}

/** Stops accepting, drops idle keep-alive sockets, resolves once in-flight requests finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

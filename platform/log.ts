import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Structured log keys used across gpu-steward. Messages are fixed sentences; values go in these
 * fields so logs can be queried. Errors go under `err`.
 */
export const LOG_KEYS = [
  "component", "uid", "kind", "namespace", "name", "operation", "dryRun", "result", "reason", "code",
  "recommender", "gpus", "workers", "durationMs", "port", "path", "file", "field", "err", "identity",
  "pool", "source", "routingPct", "server", "phase",
] as const;

export interface LogOptions {
  level: string;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** Root logger for a process. Built in main and passed down, never imported as a global. */
export function createLogger(opts: LogOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: "gpu-steward" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Tokens and certificates must never reach logs, whatever a caller passes.
      redact: { paths: ["*.authorization", "*.token", "*.tlsKey", "*.keyPem", "headers.authorization"], censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

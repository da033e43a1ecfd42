import { Writable } from "node:stream";
import { connect, type ConnectionOptions } from "node:tls";
import pino, { type Logger } from "pino";

export const SERVICE_NAME = "gpu-steward.gpu-steward.svc";

/** Opens a fresh TLS connection (no session reuse) and returns the served certificate's serial, lower-case hex. */
export function presentedSerial(port: number, ca: string): Promise<string> {
  return handshake({ port, ca }).then((serial) => {
    if (serial instanceof Error) throw serial;
    return serial;
  });
}

/** Resolves with the peer's serial, or with the handshake error (never rejects). */
export function handshake(opts: ConnectionOptions & { port: number }): Promise<string | Error> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", servername: SERVICE_NAME, ...opts }, () => {
      const serial = socket.getPeerX509Certificate()?.serialNumber.toLowerCase() ?? "";
      socket.end();
      resolve(serial);
    });
    socket.once("error", (err) => {
      socket.destroy();
      resolve(err);
    });
  });
}

/** Re-runs `probe` every `stepMs` until `done` accepts its value or `timeoutMs` passes. */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
  stepMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export interface LogLine {
  level: number;
  msg: string;
  err?: { message: string };
  [key: string]: unknown;
}

/** A pino logger whose lines land in `lines`, parsed. */
export function capturedLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

export const PINO_WARN = 40;

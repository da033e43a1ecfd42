import type { IncomingMessage, ServerResponse } from "node:http";

export interface BodyHandlers {
  body(raw: Buffer): void;
  /** `declared` when the Content-Length already said so; the connection should be closed after the answer. */
  tooLarge(declared?: number): void;
  error?(err: Error): void;
}

/**
 * Reads a request body into one buffer, refusing more than `maxBytes` (by Content-Length before
 * reading, or while streaming). Raw handlers use it where express's body parser costs too much.
 */
export function readBoundedBody(req: IncomingMessage, maxBytes: number, on: BodyHandlers): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return on.tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on("data", (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBytes) {
      refused = true;
      on.tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    if (!refused) on.body(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
  req.on("error", (err) => on.error?.(err));
}

/** A JSON answer with its length; `close` asks the client to drop the connection (after a refused body). */
export function sendJson(res: ServerResponse, status: number, body: string, close = false): void {
  const headers: Record<string, string | number> = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
  // After a refused oversized body the rest of it is still on the wire: close instead of draining it.
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(body);
}

/** A JSON answer already encoded (a 200 on a keep-alive connection). */
export function sendBytes(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

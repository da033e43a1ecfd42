import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import { readFileSync, watch, type FSWatcher } from "node:fs";
import type { RequestListener } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { dirname } from "node:path";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { Logger } from "pino";
import { applyServerTimeouts, closeServer } from "./timeouts.js";

/**
 * TLS 1.3 suites first (all AEAD), then TLS 1.2 restricted to forward-secret ECDHE key
 * exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305) — Mozilla's "intermediate" list
 * without finite-field DHE. Every Go client (the API server, kube-scheduler) offers these.
 * No CBC, no RSA key exchange, no SHA-1 MACs.
 */
export const MODERN_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/** Fallback when directory events are lost (network filesystems, some container runtimes). */
export const DEFAULT_RELOAD_POLL_MS = 10_000;
/** A rotation writes several files (or swaps a `..data` symlink) in a burst; reload once after it. */
export const DEFAULT_RELOAD_DEBOUNCE_MS = 250;

export interface TlsServerOptions {
  certFile: string;
  keyFile: string;
  handler: RequestListener;
  log: Logger;
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** 0 turns polling off. */
  reloadPollMs?: number;
  reloadDebounceMs?: number;
}

export interface TlsServer {
  server: Server;
  /** Re-reads the pair; true when a new certificate was installed, false when unchanged or rejected. */
  reload(): boolean;
  /** Stops the watchers and the server. */
  close(): Promise<void>;
}

interface CertificatePair {
  cert: string;
  key: string;
}

/**
 * HTTPS server whose certificate follows the files on disk. Kubernetes updates Secret
 * volumes by swapping a `..data` symlink inside the mount, so the directory is watched
 * (not the files) and the content compared; a poll covers missed events. A pair that does
 * not parse or does not match is refused with a warning, and the previous one keeps serving.
 * Throws at start if the initial pair is unusable.
 */
export function createTlsServer(opts: TlsServerOptions): TlsServer {
  const { certFile, keyFile, log } = opts;
  const tlsOptions = (pair: CertificatePair): SecureContextOptions => ({
    cert: pair.cert,
    key: pair.key,
    minVersion: opts.minVersion ?? "TLSv1.2",
    ciphers: MODERN_CIPHERS,
    honorCipherOrder: true,
  });

  let current: CertificatePair;
  try {
    current = readPair(certFile, keyFile);
    checkPair(current, tlsOptions(current));
  } catch (err) {
    throw new Error(`cannot load serving certificate ${certFile} with key ${keyFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }

  // setSecureContext resets every TLS setting not passed, so each reload passes them all again.
  const server = createServer(tlsOptions(current), opts.handler);
  applyServerTimeouts(server);
  server.on("tlsClientError", (err) => log.debug({ err }, "tls handshake failed"));
  server.on("listening", () => {
    log.info({ port: (server.address() as AddressInfo).port, tls: true }, "http server listening");
  });

  // Warn once per distinct bad content, not on every poll while it stays bad.
  let lastRejected: string | undefined;
  const refuse = (fingerprint: string, err: unknown): false => {
    if (fingerprint !== lastRejected) {
      log.warn({ err, certFile, keyFile }, "serving certificate rejected; keeping the previous one");
      lastRejected = fingerprint;
    }
    return false;
  };

  const reload = (): boolean => {
    let next: CertificatePair;
    try {
      next = readPair(certFile, keyFile);
    } catch (err) {
      return refuse(`read:${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
    }
    if (next.cert === current.cert && next.key === current.key) return false;
    try {
      const { serialNumber, notAfter } = checkPair(next, tlsOptions(next));
      server.setSecureContext(tlsOptions(next));
      current = next;
      lastRejected = undefined;
      log.info({ certFile, serialNumber, notAfter }, "serving certificate reloaded");
      return true;
    } catch (err) {
      return refuse(createHash("sha256").update(next.cert).update("\0").update(next.key).digest("hex"), err);
    }
  };

  let debounce: NodeJS.Timeout | undefined;
  const scheduleReload = () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      debounce = undefined;
      reload();
    }, opts.reloadDebounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS);
    debounce.unref();
  };

  const watchers: FSWatcher[] = [...new Set([dirname(certFile), dirname(keyFile)])].map((dir) => {
    const watcher = watch(dir, { persistent: false }, scheduleReload);
    watcher.on("error", (err) => {
      log.warn({ err, dir }, "certificate directory watch failed; relying on polling");
      watcher.close();
    });
    return watcher;
  });

  const pollMs = opts.reloadPollMs ?? DEFAULT_RELOAD_POLL_MS;
  const poll = pollMs > 0 ? setInterval(reload, pollMs).unref() : undefined;

  const close = async () => {
    if (debounce) clearTimeout(debounce);
    if (poll) clearInterval(poll);
    for (const watcher of watchers) watcher.close();
    await closeServer(server);
  };

  return { server, reload, close };
}

function readPair(certFile: string, keyFile: string): CertificatePair {
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

/** Throws unless the pair parses, the key belongs to the certificate and OpenSSL accepts both. */
function checkPair(pair: CertificatePair, options: SecureContextOptions): { serialNumber: string; notAfter: string } {
  const x509 = new X509Certificate(pair.cert);
  if (!x509.checkPrivateKey(createPrivateKey(pair.key))) {
    throw new Error("the private key does not belong to the certificate");
  }
  createSecureContext(options);
  return { serialNumber: x509.serialNumber, notAfter: x509.validTo };
}

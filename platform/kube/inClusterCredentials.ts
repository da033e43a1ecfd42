/**
 * The pod's own way to the API server, for the light client (lightClient.ts): the address from
 * KUBERNETES_SERVICE_HOST/PORT, the service account's token and CA from the mounted files. Same rules
 * as client.ts's loadKubeConfig (which is not imported: it loads client-node), so `--kubeconfig`
 * means the same to every command.
 *
 * The token is a projected one: the kubelet rewrites it (by swapping a symlink) well before it expires,
 * typically every hour, so it is not read once. It is read again when the file changes (its inode,
 * mtime or size) and at least every minute, as client-go's cached token source does; a failed read
 * keeps the last good token. The CA is read once: it changes only with the cluster's root CA.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isIPv6 } from "node:net";
import { join } from "node:path";
import { KubeConfigError } from "./errors.js";
import type { ApiServerConnection } from "./lightClient.js";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The `kubeconfig` value that asks for the pod's service account explicitly (client.ts's IN_CLUSTER). */
export const IN_CLUSTER_KUBECONFIG = "in-cluster";
/** client-go re-reads a token file at most this often when it has not changed. */
export const TOKEN_REFRESH_MS = 60_000;

export interface InClusterOptions {
  /** Where `token` and `ca.crt` are; tests point it at a temp dir. */
  serviceAccountDir?: string;
  env?: NodeJS.ProcessEnv;
  /** For the once-a-minute re-read. */
  nowMs?: () => number;
}

/** A pod sees the API server's address in its environment and its token mounted; both are needed. */
export function inClusterAvailable(opts: InClusterOptions = {}): boolean {
  const env = opts.env ?? process.env;
  return Boolean(env["KUBERNETES_SERVICE_HOST"]) && Boolean(env["KUBERNETES_SERVICE_PORT"]) && existsSync(join(opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, "token"));
}

export type KubeSource = { kind: "in-cluster" } | { kind: "kubeconfig"; path: string };

/**
 * What `--kubeconfig` asks for, by loadKubeConfig's rules:
 * - a file path: that kubeconfig (read with client-node by whoever needs it);
 * - `"in-cluster"`: the pod's service account (KubeConfigError when not in a pod);
 * - absent or "": the service account when running in a pod, otherwise `undefined` (standalone).
 */
export function kubeSource(kubeconfig: string | undefined, opts: InClusterOptions = {}): KubeSource | undefined {
  if (kubeconfig === IN_CLUSTER_KUBECONFIG) {
    if (!inClusterAvailable(opts)) throw new KubeConfigError(`kubeconfig "${IN_CLUSTER_KUBECONFIG}": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing`);
    return { kind: "in-cluster" };
  }
  if (kubeconfig === undefined || kubeconfig === "") return inClusterAvailable(opts) ? { kind: "in-cluster" } : undefined;
  return { kind: "kubeconfig", path: kubeconfig };
}

/** The token file, read again when it changes or once `refreshMs` has passed; never throws once read. */
export class ServiceAccountToken {
  #token: string;
  #stamp: string;
  #readAtMs: number;

  constructor(
    private readonly path: string,
    private readonly nowMs: () => number = Date.now,
    private readonly refreshMs = TOKEN_REFRESH_MS,
  ) {
    // The first read may fail loudly: without a token nothing would work.
    try {
      this.#stamp = this.#stat();
      this.#token = readFileSync(path, "utf8").trim();
    } catch (err) {
      throw new KubeConfigError(`service-account token ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    this.#readAtMs = nowMs();
  }

  current(): string {
    const now = this.nowMs();
    let stamp: string;
    try {
      stamp = this.#stat();
    } catch {
      return this.#token; // mid-swap or briefly unreadable: the last token is still the best guess
    }
    if (stamp === this.#stamp && now - this.#readAtMs < this.refreshMs) return this.#token;
    try {
      const token = readFileSync(this.path, "utf8").trim();
      if (token !== "") this.#token = token;
      this.#stamp = stamp;
      this.#readAtMs = now;
    } catch {
      // keep the last good one; the next call tries again
    }
    return this.#token;
  }

  #stat(): string {
    const s = statSync(this.path); // follows the kubelet's ..data symlink: a rotation is a new inode
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  }
}

/**
 * The connection a pod uses: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT` (http on the
 * plain ports 80, 8080, 8001, as client-node decides; an IPv6 host in brackets), the rotating token,
 * and `ca.crt`. Throws KubeConfigError when not in a pod or a file cannot be read.
 */
export function inClusterConnection(opts: InClusterOptions = {}): ApiServerConnection {
  const env = opts.env ?? process.env;
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (!inClusterAvailable(opts)) throw new KubeConfigError(`kubeconfig "${IN_CLUSTER_KUBECONFIG}": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing`);
  const host = env["KUBERNETES_SERVICE_HOST"]!;
  const port = env["KUBERNETES_SERVICE_PORT"]!;
  const scheme = port === "80" || port === "8080" || port === "8001" ? "http" : "https";
  const token = new ServiceAccountToken(join(dir, "token"), opts.nowMs);
  let ca: Buffer | undefined;
  const caPath = join(dir, "ca.crt");
  if (scheme === "https") {
    try {
      ca = readFileSync(caPath);
    } catch (err) {
      throw new KubeConfigError(`service-account CA ${caPath}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return { server: `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`, token: () => token.current(), ...(ca !== undefined && { ca }) };
}

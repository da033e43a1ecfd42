import { caBundleFromPem } from "../certs/caBundle.js";
import { writeCertificateFiles } from "../certs/files.js";
import { issueCertificates } from "../certs/issue.js";

export interface RunCertsOptions {
  /** Write ca.crt, ca.key, tls.crt, tls.key here. Exactly one of outDir / secret (`--out` / `--secret`). */
  outDir?: string;
  /** Write a `kubernetes.io/tls`-style Secret (tls.crt, tls.key, ca.crt) through `writeSecret`. */
  secret?: { namespace: string; name: string };
  dnsNames: string[];
  ipAddresses?: string[];
  validityDays: number;
  now: Date;
  /** Creates or replaces the Secret; `data` values are base64, as in a Secret's `data`. */
  writeSecret?: (namespace: string, name: string, data: Record<string, string>) => Promise<void>;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/**
 * `steward certs`: issues a CA and a serving certificate, stores them, and prints ONLY the
 * base64 caBundle on `out` so scripts can do `CA=$(steward certs …)`. Everything else,
 * including errors, goes to `err`. Returns the exit code: 0 done, 1 failed, 2 bad usage.
 */
export async function runCerts(
  opts: RunCertsOptions,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const usage = usageError(opts);
  if (usage) {
    err.write(`steward certs: ${usage}\n`);
    return EXIT_USAGE;
  }

  try {
    const issued = issueCertificates({
      dnsNames: opts.dnsNames,
      ipAddresses: opts.ipAddresses ?? [],
      validityDays: opts.validityDays,
      now: opts.now,
    });
    const names = [...opts.dnsNames, ...(opts.ipAddresses ?? [])].join(", ");
    err.write(`issued a serving certificate for ${names}, valid ${opts.validityDays} days\n`);

    if (opts.outDir) {
      const paths = await writeCertificateFiles(opts.outDir, issued);
      err.write(`wrote ${paths.caCertFile}, ${paths.caKeyFile}, ${paths.certFile}, ${paths.keyFile}\n`);
    } else {
      const { namespace, name } = opts.secret!;
      await opts.writeSecret!(namespace, name, {
        "tls.crt": base64(issued.certPem),
        "tls.key": base64(issued.keyPem),
        "ca.crt": base64(issued.caCertPem),
      });
      err.write(`wrote secret ${namespace}/${name}\n`);
    }

    out.write(`${caBundleFromPem(issued.caCertPem)}\n`);
    return EXIT_OK;
  } catch (e) {
    err.write(`steward certs: ${(e as Error).message}\n`);
    return EXIT_FAILED;
  }
}

function usageError(opts: RunCertsOptions): string | undefined {
  const hasDir = opts.outDir !== undefined && opts.outDir !== "";
  const hasSecret = opts.secret !== undefined;
  if (hasDir === hasSecret) return "give exactly one of --out or --secret";
  if (hasSecret && (!opts.secret!.namespace || !opts.secret!.name)) {
    return "--secret needs <namespace>/<name>";
  }
  if (hasSecret && !opts.writeSecret) return "--secret needs access to a Kubernetes cluster (no kubeconfig found)";
  if (opts.dnsNames.length === 0 && (opts.ipAddresses ?? []).length === 0) {
    return "give at least one --dns name or --ip address";
  }
  if (!Number.isInteger(opts.validityDays) || opts.validityDays < 1) {
    return `--validity-days: expected a positive integer, got ${opts.validityDays}`;
  }
  return undefined;
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

import { X509Certificate, createPrivateKey, randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { caBundleFromPem, describeCertificate } from "./caBundle.js";
import { issueCertificates, type IssuedCertificates } from "./issue.js";

/** File names as in a `kubernetes.io/tls` Secret (cert-manager adds `ca.crt`), plus the CA key. */
export const CERT_FILE_NAMES = {
  caCert: "ca.crt",
  caKey: "ca.key",
  cert: "tls.crt",
  key: "tls.key",
} as const;

const PUBLIC_MODE = 0o644;
const SECRET_MODE = 0o600;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificatePaths {
  dir: string;
  caCertFile: string;
  caKeyFile: string;
  certFile: string;
  keyFile: string;
}

/** What a directory holds; a file that is absent is `undefined`. */
export interface StoredCertificates {
  caCertPem?: string;
  caKeyPem?: string;
  certPem?: string;
  keyPem?: string;
}

export function certificatePaths(dir: string): CertificatePaths {
  return {
    dir,
    caCertFile: join(dir, CERT_FILE_NAMES.caCert),
    caKeyFile: join(dir, CERT_FILE_NAMES.caKey),
    certFile: join(dir, CERT_FILE_NAMES.cert),
    keyFile: join(dir, CERT_FILE_NAMES.key),
  };
}

/**
 * Writes the four files, each atomically (temp file + rename), so a server watching the
 * directory never reads half a file. Keys get mode 0600. It may briefly see a new
 * certificate beside the old key; the TLS server rejects such a pair and retries.
 */
export async function writeCertificateFiles(dir: string, issued: IssuedCertificates): Promise<CertificatePaths> {
  const paths = certificatePaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(paths.caCertFile, issued.caCertPem, PUBLIC_MODE);
  await writeFileAtomic(paths.caKeyFile, issued.caKeyPem, SECRET_MODE);
  await writeFileAtomic(paths.keyFile, issued.keyPem, SECRET_MODE);
  await writeFileAtomic(paths.certFile, issued.certPem, PUBLIC_MODE);
  return paths;
}

export async function readCertificateFiles(dir: string): Promise<StoredCertificates> {
  const paths = certificatePaths(dir);
  const [caCertPem, caKeyPem, certPem, keyPem] = await Promise.all([
    readIfPresent(paths.caCertFile),
    readIfPresent(paths.caKeyFile),
    readIfPresent(paths.certFile),
    readIfPresent(paths.keyFile),
  ]);
  return { caCertPem, caKeyPem, certPem, keyPem };
}

/** Writes `content` to a temp file beside `path`, flushes it, then renames it over `path`. */
export async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "w", mode);
    try {
      await handle.writeFile(content, "utf8");
      // open() applies the umask; chmod sets the mode we asked for.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export interface EnsureSelfSignedOptions {
  ipAddresses?: string[];
  validityDays?: number;
  /** Keep an existing serving certificate only if it stays valid this much longer (default 30). */
  renewBeforeDays?: number;
  /** RSA key size for new keys (default 2048). */
  keyBits?: number;
}

export interface EnsuredCertificates {
  paths: CertificatePaths;
  /** base64 of `ca.crt`, for `clientConfig.caBundle`. */
  caBundle: string;
  /** true when new files were written, false when the existing ones were kept. */
  created: boolean;
}

/**
 * The standalone/self-signed path: keeps `tls.crt`/`tls.key` when they verify against
 * `ca.crt`, match each other, cover every name and stay valid `renewBeforeDays` more;
 * otherwise issues a new serving certificate, reusing `ca.crt`/`ca.key` when they are a
 * matching CA pair that outlives the new certificate (so the caBundle does not change).
 */
export async function ensureSelfSigned(
  dir: string,
  dnsNames: string[],
  now: Date,
  opts: EnsureSelfSignedOptions = {},
): Promise<EnsuredCertificates> {
  const ipAddresses = opts.ipAddresses ?? [];
  const validityDays = opts.validityDays ?? 365;
  const renewBeforeMs = (opts.renewBeforeDays ?? 30) * DAY_MS;
  const stored = await readCertificateFiles(dir);

  if (servingCertificateUsable(stored, dnsNames, ipAddresses, now, renewBeforeMs)) {
    return { paths: certificatePaths(dir), caBundle: caBundleFromPem(stored.caCertPem!), created: false };
  }

  const ca = reusableCa(stored, new Date(now.getTime() + validityDays * DAY_MS));
  const issued = issueCertificates({
    dnsNames,
    ipAddresses,
    validityDays,
    now,
    ...(opts.keyBits ? { keyBits: opts.keyBits } : {}),
    ...(ca ? { ca } : {}),
  });
  const paths = await writeCertificateFiles(dir, issued);
  return { paths, caBundle: caBundleFromPem(issued.caCertPem), created: true };
}

function servingCertificateUsable(
  stored: StoredCertificates,
  dnsNames: string[],
  ipAddresses: string[],
  now: Date,
  renewBeforeMs: number,
): boolean {
  const { caCertPem, certPem, keyPem } = stored;
  if (!caCertPem || !certPem || !keyPem) return false;
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caCertPem);
    if (!cert.verify(ca.publicKey) || !cert.checkPrivateKey(createPrivateKey(keyPem))) return false;
    if (new Date(cert.validFrom) > now) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < renewBeforeMs) return false;
    const summary = describeCertificate(certPem);
    return (
      dnsNames.every((n) => summary.dnsNames.includes(n)) &&
      ipAddresses.every((ip) => summary.ipAddresses.includes(ip))
    );
  } catch {
    // Unparseable files are treated as absent: they get replaced.
    return false;
  }
}

function reusableCa(stored: StoredCertificates, mustOutlive: Date): { certPem: string; keyPem: string } | undefined {
  const { caCertPem, caKeyPem } = stored;
  if (!caCertPem || !caKeyPem) return undefined;
  try {
    const ca = new X509Certificate(caCertPem);
    const usable = ca.ca && ca.checkPrivateKey(createPrivateKey(caKeyPem)) && new Date(ca.validTo) >= mustOutlive;
    return usable ? { certPem: caCertPem, keyPem: caKeyPem } : undefined;
  } catch {
    // A broken CA pair is replaced by a new CA.
    return undefined;
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

const { pki } = forge;

/** A PEM certificate and its PEM private key. */
export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
}

export interface IssueOptions {
  /** Every DNS name the serving certificate answers for (SAN entries, in this order). */
  dnsNames: string[];
  /** IP SANs. Loopback addresses are added only when listed here. */
  ipAddresses?: string[];
  validityDays?: number;
  caValidityDays?: number;
  keyBits?: number;
  /** Serving certificate CN; defaults to the first DNS name. The CA is named `<commonName>-ca`. */
  commonName?: string;
  now: Date;
  /** Reuse this CA (serving-cert rotation without touching the caBundle). */
  ca?: CertificateAuthority;
}

export interface IssuedCertificates {
  caCertPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Start validity in the past so a peer whose clock runs a few minutes behind accepts the cert. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DEFAULT_CA_NAME = "gpu-steward";

/**
 * Issues a serving certificate signed by a CA (new, or `opts.ca` when given).
 * Keys come from Node's native RSA generator (node-forge's pure-JS one takes seconds
 * for 2048 bits); node-forge builds, extends and signs (SHA-256) the X.509 structures.
 */
export function issueCertificates(opts: IssueOptions): IssuedCertificates {
  const validityDays = opts.validityDays ?? 365;
  const caValidityDays = opts.caValidityDays ?? 3650;
  const keyBits = opts.keyBits ?? 2048;
  const ipAddresses = opts.ipAddresses ?? [];
  if (opts.dnsNames.length === 0 && ipAddresses.length === 0) {
    throw new Error("issueCertificates: at least one DNS name or IP address is required");
  }
  const commonName = opts.commonName ?? opts.dnsNames[0] ?? ipAddresses[0] ?? DEFAULT_CA_NAME;

  const ca = opts.ca
    ? loadCa(opts.ca)
    : newCa(`${opts.commonName ?? DEFAULT_CA_NAME}-ca`, opts.now, caValidityDays, keyBits);

  const keyPem = generateRsaKeyPem(keyBits);
  const key = pki.privateKeyFromPem(keyPem);
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(opts.now.getTime() - CLOCK_SKEW_MS);
  // A leaf never outlives its CA: clients would reject the chain after the CA expires anyway.
  const wantedNotAfter = new Date(opts.now.getTime() + validityDays * DAY_MS);
  cert.validity.notAfter =
    wantedNotAfter > ca.cert.validity.notAfter ? ca.cert.validity.notAfter : wantedNotAfter;
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        ...opts.dnsNames.map((value) => ({ type: 2, value })),
        ...ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: caKeyIdentifier(ca.cert) },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());

  return {
    caCertPem: ca.certPem,
    caKeyPem: ca.keyPem,
    certPem: pki.certificateToPem(cert),
    keyPem,
  };
}

interface LoadedCa {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  certPem: string;
  keyPem: string;
}

function newCa(commonName: string, now: Date, validityDays: number, keyBits: number): LoadedCa {
  const keyPem = generateRsaKeyPem(keyBits);
  const key = pki.privateKeyFromPem(keyPem);
  const cert = pki.createCertificate();
  cert.publicKey = pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerialHex();
  cert.validity.notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * DAY_MS);
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { cert, key, certPem: pki.certificateToPem(cert), keyPem };
}

function loadCa(ca: CertificateAuthority): LoadedCa {
  const cert = pki.certificateFromPem(ca.certPem);
  const key = pki.privateKeyFromPem(ca.keyPem);
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  if (publicKey.n === undefined || publicKey.n.compareTo(key.n) !== 0) {
    throw new Error("issueCertificates: the CA private key does not match the CA certificate");
  }
  return { cert, key, certPem: ca.certPem, keyPem: ca.keyPem };
}

/**
 * The authorityKeyIdentifier of a leaf must equal its CA's subjectKeyIdentifier. node-forge's
 * `keyIdentifier: true` would hash the leaf's own key, so pass the CA's bytes explicitly; prefer
 * the CA's recorded extension over recomputing it (another tool may have used another method).
 */
function caKeyIdentifier(caCert: forge.pki.Certificate): string {
  const ext = caCert.getExtension("subjectKeyIdentifier") as { subjectKeyIdentifier?: string } | undefined;
  return ext?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ext.subjectKeyIdentifier)
    : caCert.generateSubjectKeyIdentifier().getBytes();
}

function generateRsaKeyPem(bits: number): string {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: bits,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  });
  return privateKey;
}

/**
 * 16 random bytes (RFC 5280 allows ≤ 20 octets), high bit cleared so the DER INTEGER is
 * positive. A zero first byte is bumped to 1: a leading 0x00 before a byte < 0x80 is a
 * non-minimal DER INTEGER, which Go's x509 parser (the API server) refuses.
 */
function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString("hex");
}

import forge from "node-forge";

/** `caBundle` as webhook and APIService objects carry it: the CA PEM, base64-encoded. */
export function caBundleFromPem(caCertPem: string): string {
  return Buffer.from(caCertPem, "utf8").toString("base64");
}

/** The fields of a certificate worth printing in a log line or asserting in a test. */
export interface CertificateSummary {
  subjectCommonName: string | undefined;
  issuerCommonName: string | undefined;
  /** Lower-case hex, as node-forge writes it (Node's X509Certificate uses upper case). */
  serialNumber: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
}

interface AltName {
  type: number;
  value?: string;
  ip?: string;
}

/** Parses a PEM certificate (the first one when given a chain). Throws on anything else. */
export function describeCertificate(pem: string): CertificateSummary {
  const cert = forge.pki.certificateFromPem(pem);
  const san = cert.getExtension("subjectAltName") as { altNames?: AltName[] } | undefined;
  const altNames = san?.altNames ?? [];
  const basic = cert.getExtension("basicConstraints") as { cA?: boolean } | undefined;
  return {
    subjectCommonName: commonName(cert.subject),
    issuerCommonName: commonName(cert.issuer),
    serialNumber: cert.serialNumber.toLowerCase(),
    dnsNames: altNames.filter((n) => n.type === 2 && n.value !== undefined).map((n) => n.value!),
    ipAddresses: altNames.filter((n) => n.type === 7 && n.ip !== undefined).map((n) => n.ip!),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    isCa: basic?.cA === true,
  };
}

function commonName(name: forge.pki.Certificate["subject"]): string | undefined {
  const value = name.getField("CN")?.value as unknown;
  return typeof value === "string" ? value : undefined;
}

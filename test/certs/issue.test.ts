import { X509Certificate, createPrivateKey } from "node:crypto";
import forge from "node-forge";
import { beforeAll, describe, expect, it } from "vitest";
import { describeCertificate, issueCertificates, serviceDnsNames, type IssuedCertificates } from "../../certs/index.js";

const NOW = new Date("2025-03-01T12:00:00Z");
const DAY_MS = 86_400_000;
const SERVER_AUTH_OID = "1.3.6.1.5.5.7.3.1";
const names = serviceDnsNames("gpu-steward", "gpu-steward");
// For certificates whose key size does not matter to the test: faster to generate.
const FAST = { keyBits: 1024 };

describe("issueCertificates", () => {
  let issued: IssuedCertificates;
  let leaf: X509Certificate;
  let ca: X509Certificate;

  beforeAll(() => {
    issued = issueCertificates({ dnsNames: names, ipAddresses: ["10.0.0.7"], now: NOW });
    leaf = new X509Certificate(issued.certPem);
    ca = new X509Certificate(issued.caCertPem);
  });

  it("signs the serving certificate with the CA", () => {
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(issued.caKeyPem))).toBe(true);
  });

  it("lists every DNS name and IP as a SAN and adds no loopback unasked", () => {
    const summary = describeCertificate(issued.certPem);
    expect(summary.dnsNames).toEqual(names);
    expect(summary.ipAddresses).toEqual(["10.0.0.7"]);
    expect(leaf.checkHost("gpu-steward.gpu-steward.svc")).toBe("gpu-steward.gpu-steward.svc");
    expect(leaf.checkIP("127.0.0.1")).toBeUndefined();
  });

  it("adds 127.0.0.1 and ::1 when asked", () => {
    const local = issueCertificates({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"], now: NOW, ...FAST });
    const cert = new X509Certificate(local.certPem);
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkIP("::1")).toBe("::1");
  });

  it("makes a server-auth leaf that is not a CA", () => {
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual([SERVER_AUTH_OID]);
    const cert = forge.pki.certificateFromPem(issued.certPem);
    expect(cert.getExtension("keyUsage")).toMatchObject({ digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(cert.getExtension("basicConstraints")).toMatchObject({ cA: false });
    expect(cert.siginfo.algorithmOid).toBe(forge.pki.oids["sha256WithRSAEncryption"]);
  });

  it("makes a CA that may sign certificates and CRLs only", () => {
    expect(ca.ca).toBe(true);
    const cert = forge.pki.certificateFromPem(issued.caCertPem);
    expect(cert.getExtension("basicConstraints")).toMatchObject({ cA: true, critical: true });
    expect(cert.getExtension("keyUsage")).toMatchObject({ keyCertSign: true, cRLSign: true, digitalSignature: false });
    expect(describeCertificate(issued.caCertPem)).toMatchObject({ subjectCommonName: "gpu-steward-ca", isCa: true });
  });

  it("points the leaf's authority key id at the CA's subject key id", () => {
    const leafAki = forge.pki.certificateFromPem(issued.certPem).getExtension("authorityKeyIdentifier") as {
      value: string;
    };
    const caSki = forge.pki.certificateFromPem(issued.caCertPem).getExtension("subjectKeyIdentifier") as {
      subjectKeyIdentifier: string;
    };
    // AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier }: 30 16 80 14 <20 bytes>
    expect(forge.util.bytesToHex(leafAki.value)).toBe(`30168014${caSki.subjectKeyIdentifier}`);
  });

  it("starts validity 5 minutes early for clock skew and lasts validityDays", () => {
    const summary = describeCertificate(issued.certPem);
    expect(summary.notBefore.getTime()).toBe(NOW.getTime() - 5 * 60_000);
    expect(summary.notAfter.getTime()).toBe(NOW.getTime() + 365 * DAY_MS);
    expect(describeCertificate(issued.caCertPem).notAfter.getTime()).toBe(NOW.getTime() + 3650 * DAY_MS);
  });

  it("uses a positive, minimally encoded 16-byte serial", () => {
    const serial = describeCertificate(issued.certPem).serialNumber;
    expect(serial).toMatch(/^[0-9a-f]{32}$/);
    const firstByte = parseInt(serial.slice(0, 2), 16);
    expect(firstByte).toBeGreaterThan(0);
    expect(firstByte).toBeLessThan(0x80);
  });

  it("reuses a given CA: same CA and bundle, new serving certificate", () => {
    const rotated = issueCertificates({
      dnsNames: names,
      now: new Date(NOW.getTime() + 300 * DAY_MS),
      ca: { certPem: issued.caCertPem, keyPem: issued.caKeyPem },
    });
    expect(rotated.caCertPem).toBe(issued.caCertPem);
    expect(rotated.caKeyPem).toBe(issued.caKeyPem);
    expect(rotated.keyPem).not.toBe(issued.keyPem);
    expect(describeCertificate(rotated.certPem).serialNumber).not.toBe(describeCertificate(issued.certPem).serialNumber);
    expect(new X509Certificate(rotated.certPem).verify(ca.publicKey)).toBe(true);
  });

  it("never lets the leaf outlive the CA it reuses", () => {
    const shortCa = issueCertificates({ dnsNames: ["x"], caValidityDays: 10, now: NOW, ...FAST });
    const leafOfShortCa = issueCertificates({
      dnsNames: ["x"],
      now: NOW,
      ...FAST,
      ca: { certPem: shortCa.caCertPem, keyPem: shortCa.caKeyPem },
    });
    expect(describeCertificate(leafOfShortCa.certPem).notAfter).toEqual(describeCertificate(shortCa.caCertPem).notAfter);
  });

  it("refuses a CA key that does not belong to the CA certificate", () => {
    const other = issueCertificates({ dnsNames: ["x"], now: NOW, ...FAST });
    expect(() =>
      issueCertificates({ dnsNames: ["x"], now: NOW, ...FAST, ca: { certPem: issued.caCertPem, keyPem: other.caKeyPem } }),
    ).toThrow(/does not match/);
  });

  it("refuses to issue a certificate with no name", () => {
    expect(() => issueCertificates({ dnsNames: [], now: NOW })).toThrow(/at least one DNS name or IP/);
  });
});

describe("serviceDnsNames", () => {
  it("lists the short, namespaced, svc and cluster.local forms", () => {
    expect(serviceDnsNames("gpu-steward", "infra")).toEqual([
      "gpu-steward",
      "gpu-steward.infra",
      "gpu-steward.infra.svc",
      "gpu-steward.infra.svc.cluster.local",
    ]);
  });
});

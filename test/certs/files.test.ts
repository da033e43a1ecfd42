import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  describeCertificate,
  ensureSelfSigned,
  issueCertificates,
  readCertificateFiles,
  serviceDnsNames,
  writeCertificateFiles,
} from "../../certs/index.js";

const NOW = new Date("2025-03-01T12:00:00Z");
const DAY_MS = 86_400_000;
const names = serviceDnsNames("gpu-steward", "gpu-steward");
const daysLater = (days: number) => new Date(NOW.getTime() + days * DAY_MS);
// Small keys keep key generation fast; nothing here depends on the key size.
const FAST = { keyBits: 1024 };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "steward-certs-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeCertificateFiles", () => {
  it("writes the four files, keys readable by the owner only, and reads them back", async () => {
    const issued = issueCertificates({ dnsNames: names, now: NOW, ...FAST });
    const paths = await writeCertificateFiles(dir, issued);

    expect((await stat(paths.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.caKeyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.certFile)).mode & 0o777).toBe(0o644);
    expect(await readCertificateFiles(dir)).toEqual(issued);
  });

  it("leaves no temporary files behind", async () => {
    await writeCertificateFiles(dir, issueCertificates({ dnsNames: names, now: NOW, ...FAST }));
    expect((await readdir(dir)).sort()).toEqual(["ca.crt", "ca.key", "tls.crt", "tls.key"]);
  });

  it("reads missing files as undefined", async () => {
    expect(await readCertificateFiles(dir)).toEqual({
      caCertPem: undefined,
      caKeyPem: undefined,
      certPem: undefined,
      keyPem: undefined,
    });
  });
});

describe("ensureSelfSigned", () => {
  it("creates a CA and serving certificate in an empty directory", async () => {
    const result = await ensureSelfSigned(join(dir, "nested"), names, NOW, FAST);

    expect(result.created).toBe(true);
    const stored = await readCertificateFiles(join(dir, "nested"));
    expect(Buffer.from(result.caBundle, "base64").toString()).toBe(stored.caCertPem);
    expect(describeCertificate(stored.certPem!).dnsNames).toEqual(names);
    expect(new X509Certificate(stored.certPem!).verify(new X509Certificate(stored.caCertPem!).publicKey)).toBe(true);
  });

  it("keeps a certificate that stays valid for 30 days more and covers the names", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);
    const before = await readCertificateFiles(dir);

    const second = await ensureSelfSigned(dir, names.slice(2), daysLater(330), FAST);

    expect(second).toEqual({ ...first, created: false });
    expect(await readCertificateFiles(dir)).toEqual(before);
  });

  it("renews a certificate expiring within 30 days and keeps the CA", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);
    const before = await readCertificateFiles(dir);

    const renewed = await ensureSelfSigned(dir, names, daysLater(340), FAST);

    expect(renewed.created).toBe(true);
    expect(renewed.caBundle).toBe(first.caBundle);
    const after = await readCertificateFiles(dir);
    expect(after.caKeyPem).toBe(before.caKeyPem);
    expect(describeCertificate(after.certPem!).serialNumber).not.toBe(describeCertificate(before.certPem!).serialNumber);
    expect(describeCertificate(after.certPem!).notAfter).toEqual(daysLater(340 + 365));
  });

  it("reissues under the same CA when a name is missing", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);
    const wider = [...names, "gpu-steward-metrics.gpu-steward.svc"];

    const result = await ensureSelfSigned(dir, wider, daysLater(1), FAST);

    expect(result).toMatchObject({ created: true, caBundle: first.caBundle });
    expect(describeCertificate((await readCertificateFiles(dir)).certPem!).dnsNames).toEqual(wider);
  });

  it("replaces a certificate file that does not parse", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);
    await writeFile(first.paths.certFile, "-----BEGIN CERTIFICATE-----\ngarbage\n");

    const result = await ensureSelfSigned(dir, names, NOW, FAST);

    expect(result).toMatchObject({ created: true, caBundle: first.caBundle });
    expect(describeCertificate(await readFile(first.paths.certFile, "utf8")).dnsNames).toEqual(names);
  });

  it("makes a new CA when the CA key is gone", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);
    await rm(first.paths.caKeyFile);
    await rm(first.paths.certFile);

    const result = await ensureSelfSigned(dir, names, NOW, FAST);

    expect(result.created).toBe(true);
    expect(result.caBundle).not.toBe(first.caBundle);
  });

  it("makes a new CA when the old one would expire before the new certificate", async () => {
    const first = await ensureSelfSigned(dir, names, NOW, FAST);

    const result = await ensureSelfSigned(dir, names, daysLater(3650 - 200), FAST);

    expect(result.created).toBe(true);
    expect(result.caBundle).not.toBe(first.caBundle);
  });
});

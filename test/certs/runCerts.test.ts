import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeCertificate, serviceDnsNames } from "../../certs/index.js";
import { runCerts, type RunCertsOptions } from "../../cmd/certs.js";
import { captured } from "../builders/capturedOutput.js";

const NOW = new Date("2025-03-01T12:00:00Z");
const base: RunCertsOptions = { dnsNames: serviceDnsNames("gpu-steward", "gpu-steward"), validityDays: 90, now: NOW };


const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "steward-runcerts-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runCerts", () => {
  it("writes the files and prints only the caBundle on stdout", async () => {
    const out = captured();
    const err = captured();

    const code = await runCerts({ ...base, outDir: dir }, out, err);

    expect(code).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(["ca.crt", "ca.key", "tls.crt", "tls.key"]);
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const caPem = await readFile(join(dir, "ca.crt"), "utf8");
    expect(decode(lines[0]!)).toBe(caPem);
    const leaf = await readFile(join(dir, "tls.crt"), "utf8");
    expect(new X509Certificate(leaf).verify(new X509Certificate(caPem).publicKey)).toBe(true);
    expect(describeCertificate(leaf).notAfter.getTime()).toBe(NOW.getTime() + 90 * 86_400_000);
    expect(err.text()).toContain("tls.crt");
  });

  it("writes a kubernetes.io/tls-style secret whose ca.crt is the printed bundle", async () => {
    const writeSecret = vi.fn(async (_ns: string, _name: string, _data: Record<string, string>) => undefined);
    const out = captured();

    const code = await runCerts(
      { ...base, secret: { namespace: "gpu-steward", name: "gpu-steward-webhook-tls" }, writeSecret },
      out,
      captured(),
    );

    expect(code).toBe(0);
    expect(writeSecret).toHaveBeenCalledTimes(1);
    const [ns, name, data] = writeSecret.mock.calls[0]!;
    expect([ns, name]).toEqual(["gpu-steward", "gpu-steward-webhook-tls"]);
    expect(Object.keys(data).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
    expect(data["ca.crt"]).toBe(out.text().trim());
    expect(decode(data["tls.crt"]!)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(decode(data["tls.key"]!)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
  });

  it.each([
    { name: "neither out dir nor secret", opts: {} },
    { name: "both out dir and secret", opts: { outDir: "/nowhere", secret: { namespace: "a", name: "b" } } },
    { name: "a secret without a cluster", opts: { secret: { namespace: "a", name: "b" } } },
    { name: "no names", opts: { outDir: "/nowhere", dnsNames: [] } },
    { name: "zero validity days", opts: { outDir: "/nowhere", validityDays: 0 } },
  ])("exits 2 with a message and no stdout for $name", async ({ opts }) => {
    const out = captured();
    const err = captured();

    const code = await runCerts({ ...base, writeSecret: undefined, ...opts } as RunCertsOptions, out, err);

    expect(code).toBe(2);
    expect(out.text()).toBe("");
    expect(err.text()).toMatch(/^steward certs: /);
  });

  it("exits 1 and prints no bundle when the secret cannot be written", async () => {
    const out = captured();
    const err = captured();
    const writeSecret = async () => {
      throw new Error("secrets is forbidden");
    };

    const code = await runCerts({ ...base, secret: { namespace: "a", name: "b" }, writeSecret }, out, err);

    expect(code).toBe(1);
    expect(out.text()).toBe("");
    expect(err.text()).toContain("secrets is forbidden");
  });
});

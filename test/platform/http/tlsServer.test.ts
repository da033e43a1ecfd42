import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import type { RequestListener } from "node:http";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  describeCertificate,
  issueCertificates,
  serviceDnsNames,
  writeCertificateFiles,
  writeFileAtomic,
  type IssuedCertificates,
} from "../../../certs/index.js";
import { listen } from "../../../platform/http/listen.js";
import { createTlsServer, type TlsServer, type TlsServerOptions } from "../../../platform/http/tlsServer.js";
import { PINO_WARN, SERVICE_NAME, capturedLogger, eventually, handshake, presentedSerial } from "./tlsProbe.js";

const handler: RequestListener = (req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(`ok ${req.url}`);
};

let certA: IssuedCertificates;
let certB: IssuedCertificates;
let serialA: string;
let serialB: string;
let ca: string;

beforeAll(() => {
  const now = new Date();
  certA = issueCertificates({ dnsNames: serviceDnsNames("gpu-steward", "gpu-steward"), now });
  certB = issueCertificates({
    dnsNames: serviceDnsNames("gpu-steward", "gpu-steward"),
    now,
    ca: { certPem: certA.caCertPem, keyPem: certA.caKeyPem },
  });
  ca = certA.caCertPem;
  serialA = describeCertificate(certA.certPem).serialNumber;
  serialB = describeCertificate(certB.certPem).serialNumber;
});

let dir: string;
const running: TlsServer[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "steward-tls-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function start(certFile: string, keyFile: string, extra: Partial<TlsServerOptions> = {}) {
  const { log, lines } = capturedLogger();
  const tls = createTlsServer({ certFile, keyFile, handler, log, reloadPollMs: 0, reloadDebounceMs: 20, ...extra });
  running.push(tls);
  const { port } = await listen(tls.server, 0, "127.0.0.1");
  return { tls, port, lines };
}

async function startWith(issued: IssuedCertificates, extra: Partial<TlsServerOptions> = {}) {
  const paths = await writeCertificateFiles(dir, issued);
  return { ...(await start(paths.certFile, paths.keyFile, extra)), paths };
}

function get(port: number, servername: string, agent: Agent | false = false) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/healthz", ca, servername, agent }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("createTlsServer", () => {
  it("serves a client that trusts the CA and checks a SAN name while connecting to 127.0.0.1", async () => {
    const { port } = await startWith(certA);
    expect(await get(port, SERVICE_NAME)).toEqual({ status: 200, body: "ok /healthz" });
  });

  it("fails the identity check for a name outside the SANs", async () => {
    const { port } = await startWith(certA);
    await expect(get(port, "gpu-steward.other-namespace.svc")).rejects.toMatchObject({
      code: "ERR_TLS_CERT_ALTNAME_INVALID",
    });
  });

  it("refuses a client that offers only TLS 1.1", async () => {
    const { port } = await startWith(certA);
    // SECLEVEL=0 lets this OpenSSL client offer TLS 1.1 at all; the refusal must come from the server.
    const legacy = { port, ca, minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" } as const;

    // An alert received from the server: its refusal, not the client's.
    expect(await handshake({ ...legacy, maxVersion: "TLSv1.1" })).toMatchObject({
      code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
    });
    expect(await handshake({ ...legacy, maxVersion: "TLSv1.2" })).toBe(serialA);
  });

  it("refuses a TLS 1.2 client that offers only CBC suites", async () => {
    const { port } = await startWith(certA);
    const tls12 = { port, ca, maxVersion: "TLSv1.2" } as const;

    expect(await handshake({ ...tls12, ciphers: "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA" })).toMatchObject({
      code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    });
    expect(await handshake({ ...tls12, ciphers: "ECDHE-RSA-AES128-GCM-SHA256" })).toBe(serialA);
  });

  it("outlasts load-balancer idle timeouts and bounds a request to 30 s", async () => {
    const { tls } = await startWith(certA);
    expect(tls.server.keepAliveTimeout).toBeGreaterThanOrEqual(65_000);
    expect(tls.server.headersTimeout).toBeGreaterThan(tls.server.keepAliveTimeout);
    expect(tls.server.requestTimeout).toBe(30_000);
  });

  it("closes while a client holds an idle keep-alive connection", async () => {
    const { tls, port } = await startWith(certA);
    const agent = new Agent({ keepAlive: true });
    expect((await get(port, SERVICE_NAME, agent)).status).toBe(200);

    await tls.close();

    expect(tls.server.listening).toBe(false);
    agent.destroy();
  });

  it("fails at start with a message naming the file when the pair is unusable", async () => {
    const paths = await writeCertificateFiles(dir, certA);
    await writeFile(paths.certFile, "not a certificate");
    const { log } = capturedLogger();
    expect(() => createTlsServer({ certFile: paths.certFile, keyFile: paths.keyFile, handler, log })).toThrow(
      /cannot load serving certificate .*tls\.crt/,
    );
  });
});

describe("createTlsServer certificate reload", () => {
  it("serves a pair written atomically into the watched directory to new connections, without restart", async () => {
    const { tls, port, lines } = await startWith(certA);
    expect(await presentedSerial(port, ca)).toBe(serialA);

    await writeCertificateFiles(dir, certB);

    expect(await eventually(() => presentedSerial(port, ca), (s) => s === serialB)).toBe(serialB);
    expect(lines.some((l) => l.msg === "serving certificate reloaded")).toBe(true);
    expect(tls.reload()).toBe(false);
    // The reloaded context keeps the cipher policy (setSecureContext resets what it is not given).
    const cbcOnly = { port, ca, maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-SHA256" } as const;
    expect(await handshake(cbcOnly)).toMatchObject({ code: "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE" });
  });

  it("follows a Kubernetes Secret volume's ..data symlink swap", async () => {
    const mountDir = async (name: string, issued: IssuedCertificates) => {
      await mkdir(join(dir, name));
      await writeFile(join(dir, name, "tls.crt"), issued.certPem);
      await writeFile(join(dir, name, "tls.key"), issued.keyPem);
    };
    await mountDir("..2025_03_01_12_00_00.1", certA);
    await symlink("..2025_03_01_12_00_00.1", join(dir, "..data"));
    await symlink("..data/tls.crt", join(dir, "tls.crt"));
    await symlink("..data/tls.key", join(dir, "tls.key"));
    const { port } = await start(join(dir, "tls.crt"), join(dir, "tls.key"));
    expect(await presentedSerial(port, ca)).toBe(serialA);

    // What kubelet's AtomicWriter does: new timestamped dir, new link, rename over ..data.
    await mountDir("..2025_03_01_13_00_00.2", certB);
    await symlink("..2025_03_01_13_00_00.2", join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));

    expect(await eventually(() => presentedSerial(port, ca), (s) => s === serialB)).toBe(serialB);
  });

  it("picks up a change by polling when no directory event triggers a reload", async () => {
    // A debounce far beyond the test's wait leaves only the poll to notice the change.
    const { port } = await startWith(certA, { reloadDebounceMs: 60_000, reloadPollMs: 50 });

    await writeCertificateFiles(dir, certB);

    expect(await eventually(() => presentedSerial(port, ca), (s) => s === serialB)).toBe(serialB);
  });

  it.each([
    { name: "a certificate that is not PEM", file: "tls.crt", content: () => "garbage\n" },
    { name: "a half-written certificate", file: "tls.crt", content: () => certB.certPem.slice(0, 300) },
    { name: "a certificate that does not match the key", file: "tls.crt", content: () => certB.certPem },
    { name: "an empty key", file: "tls.key", content: () => "" },
  ])("keeps serving the old certificate and warns once on $name", async ({ file, content }) => {
    const { tls, port, lines } = await startWith(certA);
    const warnings = () => lines.filter((l) => l.level === PINO_WARN);

    await writeFileAtomic(join(dir, file), content(), 0o600);

    await eventually(warnings, (w) => w.length > 0);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ msg: "serving certificate rejected; keeping the previous one" });
    expect(warnings()[0]!.err?.message).toBeTruthy();
    expect(await presentedSerial(port, ca)).toBe(serialA);
    expect(tls.reload()).toBe(false);
    expect(warnings()).toHaveLength(1);

    // A good pair afterwards is taken.
    await writeCertificateFiles(dir, certB);
    expect(await eventually(() => presentedSerial(port, ca), (s) => s === serialB)).toBe(serialB);
  });
});

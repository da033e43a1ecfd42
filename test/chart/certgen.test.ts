/**
 * charts/gpu-steward/files/certgen.mjs, the self-signed mode's hook script, run as the Jobs run it
 * (`node certgen.mjs ensure|inject`) against a local stand-in for the API server that records calls,
 * with a fake `steward` that records its arguments. Certificates come from certs/ (the same issuer
 * `steward certs` uses).
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { issueCertificates } from "../../certs/issue.js";

const SCRIPT = fileURLToPath(new URL("../../charts/gpu-steward/files/certgen.mjs", import.meta.url));
const NS = "gpu-steward";
const SECRET = "gs-gpu-steward-webhook-tls";
const DNS = ["gs-gpu-steward.gpu-steward.svc", "gs-gpu-steward.gpu-steward.svc.cluster.local"];
const DAY_MS = 86_400_000;
const b64 = (s: string) => Buffer.from(s).toString("base64");

interface Call { method: string; path: string; contentType?: string; body?: unknown; auth?: string }
type Route = (call: Call) => { status: number; body?: unknown };

let dir: string;
let server: Server;
let calls: Call[];
let route: Route;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gs-certgen-"));
  writeFileSync(join(dir, "token"), "test-token\n");
  // The fake steward writes its argv, one per line, where the test can read it.
  writeFileSync(join(dir, "steward"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, "steward.args")}"\necho Q0FCVU5ETEU=\n`);
  chmodSync(join(dir, "steward"), 0o755);
  calls = [];
  route = () => ({ status: 404, body: { message: "not found" } });
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const call: Call = { method: req.method!, path: req.url!, auth: req.headers.authorization, ...(req.headers["content-type"] && { contentType: req.headers["content-type"] }), ...(text && { body: JSON.parse(text) }) };
      calls.push(call);
      const out = route(call);
      res.writeHead(out.status, { "content-type": "application/json" }).end(out.body === undefined ? "" : JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function runScript(step: string, env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  const port = (server.address() as AddressInfo).port;
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, step], {
      env: {
        PATH: process.env["PATH"] ?? "",
        CERTGEN_API_URL: `http://127.0.0.1:${port}`,
        CERTGEN_SA_DIR: dir,
        STEWARD_BIN: join(dir, "steward"),
        SECRET_NAMESPACE: NS,
        SECRET_NAME: SECRET,
        DNS_NAMES: DNS.join(","),
        VALIDITY_DAYS: "365",
        RENEW_BEFORE_DAYS: "30",
        ...env,
      },
    }, (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }));
  });
}

function secretWith(opts: { dnsNames: string[]; issuedDaysAgo: number; validityDays: number }) {
  const issued = issueCertificates({ dnsNames: opts.dnsNames, validityDays: opts.validityDays, now: new Date(Date.now() - opts.issuedDaysAgo * DAY_MS), keyBits: 1024 });
  return { metadata: { name: SECRET, namespace: NS }, data: { "tls.crt": b64(issued.certPem), "tls.key": b64(issued.keyPem), "ca.crt": b64(issued.caCertPem) } };
}

const stewardArgs = () => (existsSync(join(dir, "steward.args")) ? readFileSync(join(dir, "steward.args"), "utf8").trim().split("\n") : undefined);

describe("certgen ensure (pre-install / pre-upgrade)", () => {
  it("issues into the Secret with `steward certs` when there is none", async () => {
    const run = await runScript("ensure");
    expect(run.code, run.stderr).toBe(0);
    expect(calls).toEqual([{ method: "GET", path: `/api/v1/namespaces/${NS}/secrets/${SECRET}`, auth: "Bearer test-token" }]);
    expect(stewardArgs()).toEqual(["certs", "--secret", `${NS}/${SECRET}`, "--dns", DNS.join(","), "--validity-days", "365", "--kubeconfig", "in-cluster"]);
    expect(run.stderr).toContain('"reason":"absent"');
  });

  it.each([
    { name: "keeps a Secret that covers every name and ends in more than 30 days", secret: { dnsNames: DNS, issuedDaysAgo: 10, validityDays: 365 }, reason: undefined },
    { name: "reissues when the certificate misses a Service name", secret: { dnsNames: [DNS[0]!], issuedDaysAgo: 10, validityDays: 365 }, reason: "does not cover" },
    { name: "reissues when the certificate ends within 30 days", secret: { dnsNames: DNS, issuedDaysAgo: 350, validityDays: 365 }, reason: "ends in" },
  ])("$name", async ({ secret, reason }) => {
    const body = secretWith(secret);
    route = () => ({ status: 200, body });
    const run = await runScript("ensure");
    expect(run.code, run.stderr).toBe(0);
    if (reason === undefined) {
      expect(stewardArgs()).toBeUndefined();
      expect(run.stderr).toContain("serving certificate kept");
    } else {
      expect(stewardArgs()?.[0]).toBe("certs");
      expect(run.stderr).toContain(reason);
    }
  });

  it("fails (so helm stops the install) when the API refuses the read", async () => {
    route = () => ({ status: 403, body: { message: "secrets is forbidden" } });
    const run = await runScript("ensure");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("secrets is forbidden");
    expect(stewardArgs()).toBeUndefined();
  });
});

describe("certgen inject (post-install / post-upgrade)", () => {
  it("patches every webhook's caBundle from ca.crt and makes the Service own the Secret", async () => {
    const secret = secretWith({ dnsNames: DNS, issuedDaysAgo: 0, validityDays: 365 });
    const mwcPath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/gs-gpu-steward";
    route = (c) => {
      if (c.method === "GET" && c.path.endsWith(`/secrets/${SECRET}`)) return { status: 200, body: secret };
      if (c.method === "GET" && c.path === mwcPath) return { status: 200, body: { metadata: { name: "gs-gpu-steward" }, webhooks: [{ name: "rightsize.gpu-steward.io", clientConfig: {} }] } };
      if (c.method === "GET" && c.path === `/api/v1/namespaces/${NS}/services/gs-gpu-steward`) return { status: 200, body: { metadata: { uid: "svc-uid-1" } } };
      if (c.method === "PATCH") return { status: 200, body: {} };
      return { status: 404 };
    };
    const run = await runScript("inject", { WEBHOOK_NAME: "gs-gpu-steward", OWNER_SERVICE: "gs-gpu-steward" });
    expect(run.code, run.stderr).toBe(0);
    const patches = calls.filter((c) => c.method === "PATCH");
    expect(patches).toEqual([
      {
        method: "PATCH",
        path: mwcPath,
        auth: "Bearer test-token",
        contentType: "application/json-patch+json",
        body: [
          { op: "test", path: "/webhooks/0/name", value: "rightsize.gpu-steward.io" },
          { op: "add", path: "/webhooks/0/clientConfig/caBundle", value: secret.data["ca.crt"] },
        ],
      },
      {
        method: "PATCH",
        path: `/api/v1/namespaces/${NS}/secrets/${SECRET}`,
        auth: "Bearer test-token",
        contentType: "application/merge-patch+json",
        body: { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "Service", name: "gs-gpu-steward", uid: "svc-uid-1" }] } },
      },
    ]);
  });

  it("skips the webhook when there is none (webhook.enabled=false)", async () => {
    route = (c) => (c.method === "GET" && c.path.includes("/services/") ? { status: 200, body: { metadata: { uid: "u" } } } : c.method === "GET" ? { status: 200, body: { data: { "ca.crt": "Q0E=" } } } : { status: 200, body: {} });
    const run = await runScript("inject", { WEBHOOK_NAME: "", OWNER_SERVICE: "gs-gpu-steward" });
    expect(run.code, run.stderr).toBe(0);
    expect(calls.some((c) => c.path.includes("mutatingwebhookconfigurations"))).toBe(false);
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.path)).toEqual([`/api/v1/namespaces/${NS}/secrets/${SECRET}`]);
  });

  it("fails on a Secret without ca.crt, patching nothing", async () => {
    route = (c) => (c.method === "GET" ? { status: 200, body: { data: { "tls.crt": "eA==" } } } : { status: 500 });
    const run = await runScript("inject", { WEBHOOK_NAME: "gs-gpu-steward", OWNER_SERVICE: "gs-gpu-steward" });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("has no ca.crt");
    expect(calls.filter((c) => c.method === "PATCH")).toEqual([]);
  });
});

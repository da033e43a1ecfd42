// certs.mode=self-signed: run by the chart's hook Jobs inside the gpu-steward image (Node, no kubectl).
//
//   node certgen.mjs ensure   pre-install/pre-upgrade: keep the serving Secret when it is complete, covers
//                             every DNS name, is signed by its ca.crt and ends more than RENEW_BEFORE_DAYS
//                             from now; otherwise run `steward certs --secret …` to issue a new CA + cert.
//   node certgen.mjs inject   post-install/post-upgrade: copy the Secret's ca.crt into every webhook's
//                             clientConfig.caBundle of the MutatingWebhookConfiguration, and make the
//                             controller Service the Secret's owner so `helm uninstall` leaves no Secret.
//
// Keeping a valid Secret on upgrade matters: a new CA on every upgrade would leave the webhook's
// caBundle and the serving certificate out of step until the post-upgrade Job ran.
//
// Only Node built-ins: the image has no kubectl and this file must not depend on the app's bundle.
// Settings come from the environment (the Job's env): SECRET_NAMESPACE, SECRET_NAME, DNS_NAMES (comma list),
// VALIDITY_DAYS, RENEW_BEFORE_DAYS, WEBHOOK_NAME (empty: no webhook to patch), OWNER_SERVICE.
// In-cluster API access: KUBERNETES_SERVICE_HOST/PORT and the pod's service-account token and CA.
// CERTGEN_API_URL, CERTGEN_SA_DIR and STEWARD_BIN replace those for tests.
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { pathToFileURL } from "node:url";

const DAY_MS = 24 * 60 * 60 * 1000;

function env(name, fallback) {
  const v = process.env[name];
  if (v === undefined || v === "") {
    if (fallback !== undefined) return fallback;
    throw new Error(`certgen: environment variable ${name} is required`);
  }
  return v;
}

function log(msg, fields = {}) {
  process.stderr.write(`${JSON.stringify({ component: "certgen", msg, ...fields })}\n`);
}

function apiClient() {
  const saDir = env("CERTGEN_SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount");
  const host = process.env.KUBERNETES_SERVICE_HOST ?? "";
  const base = env("CERTGEN_API_URL", `https://${host.includes(":") ? `[${host}]` : host}:${process.env.KUBERNETES_SERVICE_PORT ?? "443"}`);
  const token = readFileSync(`${saDir}/token`, "utf8").trim();
  const url = new URL(base);
  const ca = url.protocol === "https:" ? readFileSync(`${saDir}/ca.crt`) : undefined;
  return function call(method, path, body, contentType = "application/json") {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === "https:" ? https : http).request(
        new URL(path, url),
        {
          method,
          ca,
          timeout: 10_000,
          headers: {
            authorization: `Bearer ${token}`,
            accept: "application/json",
            ...(payload !== undefined && { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text === "" ? undefined : JSON.parse(text) }));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  };
}

function expectOk(res, what) {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw new Error(`${what}: HTTP ${res.status}: ${res.body?.message ?? ""}`);
}

const secretPath = (ns, name) => `/api/v1/namespaces/${ns}/secrets/${name}`;

/** Why the Secret must be (re)issued, or undefined when it is fine as it is. */
export function reissueReason(secret, dnsNames, nowMs, renewBeforeDays) {
  if (!secret) return "absent";
  const data = secret.data ?? {};
  for (const key of ["tls.crt", "tls.key", "ca.crt"]) if (!data[key]) return `no ${key}`;
  let cert;
  let ca;
  try {
    cert = new X509Certificate(Buffer.from(data["tls.crt"], "base64"));
    ca = new X509Certificate(Buffer.from(data["ca.crt"], "base64"));
  } catch (e) {
    return `unreadable certificate: ${e.message}`;
  }
  const missing = dnsNames.filter((n) => cert.checkHost(n, { wildcards: false }) === undefined);
  if (missing.length > 0) return `does not cover ${missing.join(", ")}`;
  if (!cert.verify(ca.publicKey)) return "tls.crt is not signed by ca.crt";
  const daysLeft = (Date.parse(cert.validTo) - nowMs) / DAY_MS;
  if (daysLeft < renewBeforeDays) return `ends in ${Math.floor(daysLeft)} days`;
  const caDaysLeft = (Date.parse(ca.validTo) - nowMs) / DAY_MS;
  if (caDaysLeft < renewBeforeDays) return `CA ends in ${Math.floor(caDaysLeft)} days`;
  return undefined;
}

async function ensure(call) {
  const ns = env("SECRET_NAMESPACE");
  const name = env("SECRET_NAME");
  const dnsNames = env("DNS_NAMES").split(",").map((s) => s.trim()).filter(Boolean);
  const res = await call("GET", secretPath(ns, name));
  const secret = res.status === 404 ? undefined : expectOk(res, `GET secret ${ns}/${name}`);
  const reason = reissueReason(secret, dnsNames, Date.now(), Number(env("RENEW_BEFORE_DAYS", "30")));
  if (reason === undefined) {
    log("serving certificate kept", { secret: `${ns}/${name}` });
    return 0;
  }
  log("issuing serving certificate", { secret: `${ns}/${name}`, reason });
  const args = ["certs", "--secret", `${ns}/${name}`, "--dns", dnsNames.join(","), "--validity-days", env("VALIDITY_DAYS", "365"), "--kubeconfig", "in-cluster"];
  // stdout is the caBundle (not needed here: inject reads ca.crt from the Secret); stderr says what happened.
  const run = spawnSync(env("STEWARD_BIN", "steward"), args, { stdio: ["ignore", "ignore", "inherit"] });
  if (run.error) throw run.error;
  return run.status ?? 1;
}

async function inject(call) {
  const ns = env("SECRET_NAMESPACE");
  const name = env("SECRET_NAME");
  const secret = expectOk(await call("GET", secretPath(ns, name)), `GET secret ${ns}/${name}`);
  const caBundle = secret.data?.["ca.crt"];
  if (!caBundle) throw new Error(`secret ${ns}/${name} has no ca.crt`);

  const webhookName = process.env.WEBHOOK_NAME ?? "";
  if (webhookName !== "") {
    const path = `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${webhookName}`;
    const mwc = expectOk(await call("GET", path), `GET mutatingwebhookconfiguration ${webhookName}`);
    // `test` pins each index to the webhook read, so a concurrent reorder fails the patch instead of mis-writing.
    const ops = (mwc.webhooks ?? []).flatMap((w, i) => [
      { op: "test", path: `/webhooks/${i}/name`, value: w.name },
      { op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle },
    ]);
    expectOk(await call("PATCH", path, ops, "application/json-patch+json"), `PATCH mutatingwebhookconfiguration ${webhookName}`);
    log("caBundle injected", { webhook: webhookName, webhooks: ops.length / 2 });
  }

  const owner = process.env.OWNER_SERVICE ?? "";
  if (owner !== "") {
    const svc = expectOk(await call("GET", `/api/v1/namespaces/${ns}/services/${owner}`), `GET service ${ns}/${owner}`);
    const ownerReferences = [{ apiVersion: "v1", kind: "Service", name: owner, uid: svc.metadata.uid }];
    expectOk(await call("PATCH", secretPath(ns, name), { metadata: { ownerReferences } }, "application/merge-patch+json"), `PATCH secret ${ns}/${name}`);
    log("secret owned by service", { secret: `${ns}/${name}`, service: owner });
  }
  return 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const step = process.argv[2];
  const steps = { ensure, inject };
  if (!(step in steps)) {
    process.stderr.write("usage: node certgen.mjs ensure|inject\n");
    process.exit(2);
  }
  steps[step](apiClient()).then(
    (code) => process.exit(code),
    (err) => {
      log("failed", { err: err.message });
      process.exit(1);
    },
  );
}

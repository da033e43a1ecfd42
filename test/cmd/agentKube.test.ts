/**
 * How `steward agent` reaches the cluster: in a pod through the light client, never loading
 * @kubernetes/client-node (its import alone is ~70 MiB of RSS, over the agent's 60 MiB budget); with a
 * kubeconfig file through client-node, imported only then.
 *
 * The import check runs the agent's module graph in a child process with a module-resolve hook that
 * records every `importer -> module` edge, so it sees what node really loads (type-only imports are
 * erased and do not count; a dynamic import counts once it runs).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgentOnce } from "../../cmd/agent.js";
import { ManualClock } from "../../platform/clock.js";
import { KubeConfigError } from "../../platform/kube/errors.js";
import { inClusterAvailable } from "../../platform/kube/inClusterCredentials.js";
import { NODES, PODS } from "../../platform/kube/memoryWatch.js";
import { captured } from "../builders/capturedOutput.js";
import { xd670Host, xd670Runner } from "../builders/xd670Node.js";
import { startFakeApiServer, type FakeApiServer } from "../platform/kube/fakeApiServer.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Modules on the agent's in-cluster path that still import client-node or express, each outside the
 * light client. Must only shrink: a new entry is a regression of the agent's memory budget.
 */
const STILL_IMPORTING: string[] = [];

const HEAVY = /\/node_modules\/(@kubernetes\/client-node|express)\//;

interface Edge {
  from: string;
  to: string;
}

/** Runs `script` (ESM, top-level await) under tsx with the recording hook; returns the edges before and after its `MARK` line. */
async function traceImports(script: string): Promise<{ before: Edge[]; after: Edge[] }> {
  const dir = mkdtempSync(join(tmpdir(), "steward-imports-"));
  try {
    const trace = join(dir, "edges.txt");
    writeFileSync(
      join(dir, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(trace)}, (context.parentURL ?? "-") + " " + r.url + "\\n");
  return r;
}
`,
    );
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
    writeFileSync(join(dir, "main.mjs"), `import { appendFileSync } from "node:fs";\nconst mark = () => appendFileSync(${JSON.stringify(trace)}, "MARK\\n");\n${script}\n`);
    await run(process.execPath, ["--import", "tsx", "--import", pathToFileURL(join(dir, "register.mjs")).href, join(dir, "main.mjs")], { cwd: root, timeout: 60_000 });
    const lines = readFileSync(trace, "utf8").trim().split("\n");
    const at = lines.indexOf("MARK");
    const edges = (part: string[]): Edge[] =>
      part.map((line) => {
        const [from = "", to = ""] = line.split(" ");
        return { from: from.replace(pathToFileURL(root).href, ""), to: to.replace(pathToFileURL(root).href, "") };
      });
    return { before: edges(lines.slice(0, at)), after: edges(lines.slice(at + 1)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `importer -> package` for every edge into client-node or express from a module of ours. */
function heavyImports(edges: readonly Edge[]): string[] {
  const found = edges.filter((e) => HEAVY.test(`/${e.to}`) && !e.from.includes("node_modules/")).map((e) => `${e.from} -> ${HEAVY.exec(`/${e.to}`)?.[1]}`);
  return [...new Set(found)].sort();
}

describe("steward agent's cluster client", () => {
  it("in a pod loads neither client-node nor express; a kubeconfig file loads client-node", { timeout: 90_000 }, async () => {
    const url = (rel: string) => JSON.stringify(pathToFileURL(join(root, rel)).href);
    const { before, after } = await traceImports(`
await import(${url("cmd/agent.ts")});
// What kubeFromConfig builds in a pod, built here from a temp service-account dir.
const { mkdtempSync, writeFileSync } = await import("node:fs");
const { join } = await import("node:path");
const { tmpdir } = await import("node:os");
const sa = mkdtempSync(join(tmpdir(), "sa-"));
writeFileSync(join(sa, "token"), "t");
writeFileSync(join(sa, "ca.crt"), "-----BEGIN CERTIFICATE-----\\n-----END CERTIFICATE-----\\n");
const { inClusterConnection } = await import(${url("platform/kube/inClusterCredentials.ts")});
const { LightKubeClient } = await import(${url("platform/kube/lightClient.ts")});
const { lightAgentKube } = await import(${url("platform/kube/lightAgentPorts.ts")});
const { createLogger } = await import(${url("platform/log.ts")});
const { systemClock } = await import(${url("platform/clock.ts")});
const conn = inClusterConnection({ serviceAccountDir: sa, env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "8080" } });
const kube = lightAgentKube(new LightKubeClient(conn), "gpu-1", createLogger({ level: "silent" }), systemClock, { podName: "p" });
if (typeof kube.podsOnNode.watch !== "function") throw new Error("no watch");
mark();
// The --kubeconfig FILE branch's dynamic import: proves the hook sees client-node when it is loaded.
await import(${url("platform/kube/client.ts")});
`);
    const ours = new Set(before.map((e) => e.to));
    for (const m of ["cmd/agent.ts", "nodeagent/daemon/agent.ts", "platform/kube/lightClient.ts", "platform/kube/lightWatch.ts", "platform/kube/lightAgentPorts.ts", "platform/kube/inClusterCredentials.ts"]) {
      expect(ours.has(m), m).toBe(true);
    }
    expect(heavyImports(before)).toEqual(STILL_IMPORTING);
    // None of the agent's own kube modules is among them.
    expect(heavyImports(before).filter((e) => /^(cmd\/|platform\/kube\/(light|inCluster))/.test(e))).toEqual([]);
    expect(heavyImports(after)).toContain("platform/kube/client.ts -> @kubernetes/client-node");
  });
});

describe("steward agent --once with a cluster", () => {
  let server: FakeApiServer;
  let dir: string;
  beforeEach(async () => {
    server = await startFakeApiServer(new ManualClock(Date.UTC(2026, 10, 23, 12)));
    dir = mkdtempSync(join(tmpdir(), "steward-agent-kube-"));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads --kubeconfig FILE through client-node (imported on demand) and lists its node's pods", async () => {
    server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-node-1" } });
    server.store.create(PODS, "serving", { apiVersion: "v1", kind: "Pod", metadata: { name: "llama-0", namespace: "serving", annotations: { "gpu-steward.io/p99-slo-ms": "300" } }, spec: { nodeName: "gpu-node-1" }, status: { phase: "Running", podIP: "10.0.0.5" } });
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: server.url, "insecure-skip-tls-verify": true } }], // client-node refuses plain http otherwise
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
        "current-context": "x",
      }),
    );
    const host = xd670Host();
    try {
      const out = captured();
      const code = await runAgentOnce({ "host-root": host.hostRoot, "node-name": "gpu-node-1", kubeconfig, "pod-resources-socket": "" }, out, { runner: xd670Runner(), metricsClient: { get: async () => "" } });
      expect(code).toBe(0);
      expect(JSON.parse(out.text()).report.tenants).toEqual([expect.objectContaining({ pod: "llama-0", sloMs: 300 })]);
      expect(server.requests.map(({ method, path, query, authorization }) => ({ method, path, query, authorization }))).toEqual([
        { method: "GET", path: "/api/v1/pods", query: { limit: "500", fieldSelector: "spec.nodeName=gpu-node-1" }, authorization: "Bearer t" },
      ]);
      expect(server.violations).toEqual([]);
    } finally {
      host.remove();
    }
  });

  it.skipIf(inClusterAvailable())("refuses --kubeconfig in-cluster outside a pod", async () => {
    const host = xd670Host();
    try {
      const err = await runAgentOnce({ "host-root": host.hostRoot, kubeconfig: "in-cluster", "pod-resources-socket": "" }, captured(), { runner: xd670Runner() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeConfigError);
      expect((err as Error).message).toBe('kubeconfig "in-cluster": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing');
    } finally {
      host.remove();
    }
  });
});

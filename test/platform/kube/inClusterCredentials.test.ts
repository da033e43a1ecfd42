/**
 * The pod's connection for the light client: --kubeconfig rules (as loadKubeConfig's), the address from
 * the environment, the CA, and the projected token read again when the kubelet rotates it.
 */
import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../../platform/kube/client.js";
import { KubeConfigError } from "../../../platform/kube/errors.js";
import { inClusterAvailable, inClusterConnection, kubeSource, ServiceAccountToken, TOKEN_REFRESH_MS } from "../../../platform/kube/inClusterCredentials.js";
import { LightNodes } from "../../../platform/kube/lightAgentPorts.js";
import { LightKubeClient } from "../../../platform/kube/lightClient.js";
import { ManualClock } from "../../../platform/clock.js";
import { NODES } from "../../../platform/kube/memoryWatch.js";
import { startFakeApiServer } from "./fakeApiServer.js";

const POD_ENV = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };
const CA_PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "steward-sa-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** As the kubelet rotates a projected token: a new file swapped in by rename (a new inode). */
function rotate(token: string): void {
  writeFileSync(join(dir, "token.next"), token);
  renameSync(join(dir, "token.next"), join(dir, "token"));
}

describe("kubeSource: what --kubeconfig asks for (loadKubeConfig's rules)", () => {
  it("is the pod's service account when asked, or when absent inside a pod; standalone when absent outside", () => {
    writeFileSync(join(dir, "token"), "sa-token");
    const inPod = { serviceAccountDir: dir, env: POD_ENV };
    const outside = { serviceAccountDir: dir, env: {} };
    expect(kubeSource(undefined, inPod)).toEqual({ kind: "in-cluster" });
    expect(kubeSource("", inPod)).toEqual({ kind: "in-cluster" });
    expect(kubeSource("in-cluster", inPod)).toEqual({ kind: "in-cluster" });
    expect(kubeSource(undefined, outside)).toBeUndefined();
    expect(kubeSource("/home/me/.kube/config", inPod)).toEqual({ kind: "kubeconfig", path: "/home/me/.kube/config" });
    expect(kubeSource("/home/me/.kube/config", outside)).toEqual({ kind: "kubeconfig", path: "/home/me/.kube/config" });
  });

  it("refuses in-cluster outside a pod with the message loadKubeConfig gives", () => {
    const noToken = { serviceAccountDir: dir, env: POD_ENV };
    expect(inClusterAvailable(noToken)).toBe(false);
    expect(() => kubeSource("in-cluster", noToken)).toThrow(KubeConfigError);
    expect(() => kubeSource("in-cluster", noToken)).toThrow('kubeconfig "in-cluster": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing');
    writeFileSync(join(dir, "token"), "sa-token");
    expect(() => kubeSource("in-cluster", { serviceAccountDir: dir, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" } })).toThrow(KubeConfigError);
    // The same words as the client-node loader, so either path reads the same in a log.
    expect(() => loadKubeConfig("in-cluster", { serviceAccountPrefix: join(dir, "no-such-prefix") })).toThrow('kubeconfig "in-cluster": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing');
  });
});

describe("inClusterConnection", () => {
  it("points at https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT with the mounted CA and token", () => {
    writeFileSync(join(dir, "token"), "sa-token\n");
    writeFileSync(join(dir, "ca.crt"), CA_PEM);
    const conn = inClusterConnection({ serviceAccountDir: dir, env: POD_ENV });
    expect(conn.server).toBe("https://10.96.0.1:443");
    expect(conn.ca?.toString()).toBe(CA_PEM);
    expect(conn.token?.()).toBe("sa-token");
  });

  it("brackets an IPv6 host and uses plain http on the insecure ports, as client-node does", () => {
    writeFileSync(join(dir, "token"), "sa-token");
    writeFileSync(join(dir, "ca.crt"), CA_PEM);
    expect(inClusterConnection({ serviceAccountDir: dir, env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" } }).server).toBe("https://[fd00::1]:443");
    const plain = inClusterConnection({ serviceAccountDir: dir, env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: "8080" } });
    expect([plain.server, plain.ca]).toEqual(["http://127.0.0.1:8080", undefined]);
  });

  it("fails naming the file when the CA is not mounted, and when not in a pod", () => {
    writeFileSync(join(dir, "token"), "sa-token");
    expect(() => inClusterConnection({ serviceAccountDir: dir, env: POD_ENV })).toThrow(new RegExp(`^service-account CA ${join(dir, "ca.crt")}: ENOENT`));
    expect(() => inClusterConnection({ serviceAccountDir: dir, env: {} })).toThrow(KubeConfigError);
  });
});

describe("ServiceAccountToken", () => {
  it("reads the token again as soon as the kubelet swaps in a new file", () => {
    writeFileSync(join(dir, "token"), "first");
    const clock = new ManualClock(0);
    const token = new ServiceAccountToken(join(dir, "token"), () => clock.nowMs());
    expect(token.current()).toBe("first");
    rotate("second\n");
    expect(token.current()).toBe("second");
    clock.advance(1_000);
    rotate("third");
    expect(token.current()).toBe("third");
  });

  it("reads it again once a minute even when the file looks unchanged", () => {
    const path = join(dir, "token");
    const STAMP_S = 1_700_000_000; // whole seconds: set back exactly, where a Date would lose the sub-millisecond part
    writeFileSync(path, "aaaa");
    utimesSync(path, STAMP_S, STAMP_S);
    const clock = new ManualClock(0);
    const token = new ServiceAccountToken(path, () => clock.nowMs());
    // Rewritten in place, same size, mtime put back: nothing in stat() tells it apart.
    writeFileSync(path, "bbbb");
    utimesSync(path, STAMP_S, STAMP_S);
    expect(statSync(path).mtimeMs).toBe(STAMP_S * 1000);
    expect(token.current()).toBe("aaaa");
    clock.advance(TOKEN_REFRESH_MS - 1);
    expect(token.current()).toBe("aaaa");
    clock.advance(1);
    expect(token.current()).toBe("bbbb");
  });

  it("keeps the last token while the file is briefly missing, and fails loudly only at the first read", () => {
    const path = join(dir, "token");
    expect(() => new ServiceAccountToken(path)).toThrow(KubeConfigError);
    writeFileSync(path, "kept");
    const token = new ServiceAccountToken(path);
    rmSync(path);
    expect(token.current()).toBe("kept");
    rotate("back");
    expect(token.current()).toBe("back");
  });

  it("is what the light client sends: a rotated token is used on the next request", async () => {
    const server = await startFakeApiServer(new ManualClock(0));
    try {
      server.store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-1" } });
      writeFileSync(join(dir, "token"), "expired");
      const token = new ServiceAccountToken(join(dir, "token"));
      const client = new LightKubeClient({ server: server.url, token: () => token.current() });
      await expect(new LightNodes(client).get("gpu-1")).rejects.toMatchObject({ statusCode: 401 });
      rotate("t");
      expect((await new LightNodes(client).get("gpu-1"))?.uid).toMatch(/.+/);
      client.close();
      expect(server.requests.map((r) => [r.authorization, r.status])).toEqual([
        ["Bearer expired", 401],
        ["Bearer t", 200],
      ]);
    } finally {
      await server.close();
    }
  });
});

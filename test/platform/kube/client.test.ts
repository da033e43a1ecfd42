import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isStewardError } from "../../../platform/errors.js";
import { loadKubeConfig } from "../../../platform/kube/client.js";
import { KubeConfigError } from "../../../platform/kube/errors.js";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: kind
  cluster: { server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true }
users:
- name: admin
  user: { token: abc }
contexts:
- name: kind-admin
  context: { cluster: kind, user: admin }
current-context: kind-admin
`;

describe("loadKubeConfig", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "steward-kubeconfig-"));
    vi.stubEnv("KUBERNETES_SERVICE_HOST", "");
    vi.stubEnv("KUBERNETES_SERVICE_PORT", "");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fake pod filesystem: the service-account token under `dir`. */
  function inPod(): { serviceAccountPrefix: string } {
    const saDir = join(dir, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(saDir, { recursive: true });
    writeFileSync(join(saDir, "token"), "sa-token");
    writeFileSync(join(saDir, "namespace"), "gpu-steward");
    vi.stubEnv("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    vi.stubEnv("KUBERNETES_SERVICE_PORT", "443");
    return { serviceAccountPrefix: dir };
  }

  it("loads a kubeconfig file and its current context", () => {
    const path = join(dir, "config");
    writeFileSync(path, KUBECONFIG);
    const kc = loadKubeConfig(path);
    expect(kc?.getCurrentCluster()?.server).toBe("https://127.0.0.1:6443");
    expect(kc?.getCurrentUser()?.token).toBe("abc");
  });

  it("names the path when the file is missing", () => {
    const path = join(dir, "absent");
    let caught: unknown;
    try {
      loadKubeConfig(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KubeConfigError);
    expect(isStewardError(caught, "CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).toContain(path);
  });

  it("refuses a kubeconfig whose current context has no cluster", () => {
    const path = join(dir, "config");
    writeFileSync(path, KUBECONFIG.replace("current-context: kind-admin", "current-context: nowhere"));
    expect(() => loadKubeConfig(path)).toThrow(KubeConfigError);
  });

  it("returns undefined (standalone mode) with no path outside a pod", () => {
    expect(loadKubeConfig(undefined, { serviceAccountPrefix: dir })).toBeUndefined();
  });

  it("refuses 'in-cluster' outside a pod", () => {
    expect(() => loadKubeConfig("in-cluster", { serviceAccountPrefix: dir })).toThrow(/KUBERNETES_SERVICE_HOST/);
  });

  it.each([undefined, "in-cluster"])("uses the service account in a pod when the path is %s", (path) => {
    const kc = loadKubeConfig(path, inPod());
    expect(kc?.getCurrentCluster()?.server).toBe("https://10.96.0.1:443");
    expect(kc?.getContextObject(kc.getCurrentContext())?.namespace).toBe("gpu-steward");
  });
});

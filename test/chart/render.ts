/** `helm lint` / `helm template` of charts/gpu-steward through the packaged helm, parsed with `yaml`. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { helmBinary } from "./helmBinary.js";

export const CHART_DIR = fileURLToPath(new URL("../../charts/gpu-steward", import.meta.url));
export const RELEASE = "gs";
export const NAMESPACE = "gpu-steward";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RenderOptions {
  /** Written to a values file and passed with -f. */
  values?: Record<string, unknown>;
  /** Extra `--api-versions` (capabilities the cluster would have). */
  apiVersions?: string[];
  /** `--kube-version` (the cluster's version; helm's own default otherwise). */
  kubeVersion?: string;
  namespace?: string;
  /** More helm flags (e.g. --skip-schema-validation). */
  flags?: string[];
}

/** helm with HOME and its cache/config dirs in a temp dir: no user config read, nothing left behind. */
export function helm(args: string[]): HelmRun {
  const home = mkdtempSync(join(tmpdir(), "gs-helm-"));
  try {
    const res = spawnSync(helmBinary(), args, {
      encoding: "utf8",
      env: { PATH: process.env["PATH"] ?? "", HOME: home, HELM_CACHE_HOME: join(home, "cache"), HELM_CONFIG_HOME: join(home, "config"), HELM_DATA_HOME: join(home, "data") },
      timeout: 60_000,
    });
    if (res.error) throw res.error;
    return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export function template(opts: RenderOptions = {}): HelmRun {
  const dir = mkdtempSync(join(tmpdir(), "gs-values-"));
  try {
    const args = ["template", RELEASE, CHART_DIR, "--namespace", opts.namespace ?? NAMESPACE];
    if (opts.values) {
      const file = join(dir, "values.yaml");
      writeFileSync(file, stringify(opts.values));
      args.push("-f", file);
    }
    for (const v of opts.apiVersions ?? []) args.push("--api-versions", v);
    if (opts.kubeVersion) args.push("--kube-version", opts.kubeVersion);
    args.push(...(opts.flags ?? []));
    return helm(args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders and parses; throws with helm's message when rendering fails. */
export function render(opts: RenderOptions = {}): K8sObject[] {
  const run = template(opts);
  if (run.code !== 0) throw new Error(`helm template failed (${run.code}): ${run.stderr}`);
  const docs = parseAllDocuments(run.stdout);
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) continue; // empty document between separators
    objects.push(obj as K8sObject);
  }
  return objects;
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const hit = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!hit) throw new Error(`no ${kind}${name ? ` ${name}` : ""} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return hit;
}

export function all(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** Pod spec of a workload (Deployment, StatefulSet, Job, DaemonSet). */
export interface PodSpec {
  containers: Container[];
  hostPID?: boolean;
  hostNetwork?: boolean;
  hostIPC?: boolean;
  runtimeClassName?: string;
  priorityClassName?: string;
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string }; hostPath?: { path: string; type?: string } }[];
  serviceAccountName?: string;
  affinity?: Record<string, unknown>;
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  securityContext?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: number | string; scheme?: string } };
  readinessProbe?: { httpGet?: { path: string; port: number | string; scheme?: string } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; recursiveReadOnly?: string }[];
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job"];

export function podSpec(workload: K8sObject): PodSpec {
  const spec = workload["spec"] as { template: { spec: PodSpec } };
  return spec.template.spec;
}

/** The autoscaler's sample static documents (the inferno v0.7.0 "small" set), as the files hold them. */
export const AUTOSCALER_DATA_DIR = fileURLToPath(new URL("../fixtures/inference/sample-data/v0.7.0/small/", import.meta.url));
export function autoscalerSampleData(names: readonly string[] = ["accelerator-data.json", "model-data.json", "serviceclass-data.json", "optimizer-data.json"]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, readFileSync(join(AUTOSCALER_DATA_DIR, n), "utf8")]));
}

/** Inline static data as a user would write it: two documents as JSON text, two as YAML. */
function autoscalerInlineData(): Record<string, unknown> {
  const texts = autoscalerSampleData();
  return {
    "accelerator-data.json": texts["accelerator-data.json"],
    "model-data.json": JSON.parse(texts["model-data.json"]!) as unknown,
    "serviceclass-data.json": texts["serviceclass-data.json"],
    "optimizer-data.json": JSON.parse(texts["optimizer-data.json"]!) as unknown,
  };
}

/** The combinations the chart README documents; each must render. */
export const COMBINATIONS: { name: string; values: Record<string, unknown>; apiVersions?: string[]; kubeVersion?: string }[] = [
  { name: "defaults (cert-manager)", values: {} },
  { name: "self-signed", values: { certs: { mode: "self-signed" } } },
  { name: "self-signed, webhook off", values: { certs: { mode: "self-signed" }, webhook: { enabled: false } } },
  { name: "persistent state (StatefulSet)", values: { controller: { state: { type: "persistentVolumeClaim" } } } },
  { name: "extender over TLS", values: { extender: { tls: true } } },
  { name: "opt-in namespaces, no label", values: { webhook: { optInNamespaces: ["team-a", "team-b"] } } },
  {
    name: "own namespaceSelector and objectSelector",
    values: { webhook: { namespaceSelector: { matchLabels: { "gpu-steward.io/rightsize": "enabled" } }, objectSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] }, excludedNamespaces: ["monitoring"] } },
  },
  { name: "own cert-manager issuer", values: { certs: { certManager: { issuerRef: { kind: "ClusterIssuer", name: "corp-ca" } } } } },
  { name: "scheduler off", values: { scheduler: { enabled: false } } },
  { name: "ServiceMonitor", values: { metrics: { serviceMonitor: { enabled: true } } }, apiVersions: ["monitoring.coreos.com/v1/ServiceMonitor"] },
  {
    name: "controller config file and extra flags",
    values: { controller: { config: { webhook: { policy: "avoid-oom", maxGpus: 32 }, extender: { spend: { source: "ledger", budgetUsd: 5000, ledger: { usdPerGpuHour: 2.5 } } } }, extraArgs: ["--max-body-bytes=4194304"] } },
  },
  { name: "agent off", values: { agent: { enabled: false } } },
  { name: "agent: mitigation off", values: { agent: { mitigation: false, dryRun: false } } },
  { name: "agent: enforcing (dry run off)", values: { agent: { dryRun: false } } },
  {
    name: "agent: dry run, Tier 2, no tenant files, kubelet elsewhere, no runtime class",
    values: { agent: { dryRun: true, migLayout: "all-balanced", tenantMetricsDir: "", kubeletRootDir: "/var/lib/k0s/kubelet", runtimeClassName: "", priorityClassName: "", maxUnavailable: 2, extraArgs: ["--slo-threshold-ms=200"] } },
  },
  { name: "Kubernetes 1.30 (no recursiveReadOnly)", values: {}, kubeVersion: "v1.30.4" },
  { name: "autoscaler: existing ConfigMap", values: { autoscaler: { enabled: true, staticData: { configMap: { name: "inferno-static-data" } } } } },
  {
    name: "autoscaler: inline data, 2 replicas, Prometheus with a token, dry run, emulator",
    values: {
      autoscaler: {
        enabled: true,
        replicas: 2,
        staticData: { inline: autoscalerInlineData() },
        prometheus: { url: "http://prometheus-operated.monitoring.svc:9090", window: "90s", match: "job", tokenSecret: { name: "prometheus-token" } },
        dryRun: true,
        dynamic: true,
        maxChange: 2,
        scaleToZeroClasses: ["Bronze", "Free"],
        profile: "legacy-v070",
        periodSeconds: 86400,
        extraArgs: ["--bind-address=0.0.0.0"],
        emulator: { enabled: true, mode: "mean-reverting", intervalSeconds: 30, seed: 4294967295 },
      },
    },
  },
  {
    name: "autoscaler: ConfigMap in another namespace, capacity from file, no NodeReports, only /invoke",
    values: { autoscaler: { enabled: true, staticData: { configMap: { name: "inferno-static-data", namespace: "inferno" } }, capacityFrom: "file", loadFromNodeReports: false, periodSeconds: 0 } },
  },
  {
    name: "autoscaler and ServiceMonitor",
    values: { autoscaler: { enabled: true, staticData: { configMap: { name: "inferno-static-data" } } }, metrics: { serviceMonitor: { enabled: true } } },
    apiVersions: ["monitoring.coreos.com/v1/ServiceMonitor"],
  },
];

/** Renders one of COMBINATIONS. */
export function renderCombination(c: (typeof COMBINATIONS)[number]): K8sObject[] {
  return render({ values: c.values, ...(c.apiVersions && { apiVersions: c.apiVersions }), ...(c.kubeVersion && { kubeVersion: c.kubeVersion }) });
}

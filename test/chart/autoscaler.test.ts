/**
 * The inference autoscaler in the chart (templates/autoscaler): its Deployment, Service, RBAC, static
 * data and load emulator, and its command line as `steward autoscaler` itself reads it
 * (cmd/autoscalerServe.ts's options into autoscaler/config.ts's AutoscalerConfig, after the kubelet's
 * $(VAR) expansion), for every documented combination.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describe, expect, it } from "vitest";
import { AUTOSCALER_LEASE, AutoscalerConfig } from "../../autoscaler/config.js";
import { capacityFromNodes } from "../../autoscaler/capacity.js";
import { acceleratorTypes, buildSystem, CAPACITY_DOCUMENT, configMapDocuments, STATIC_DOCUMENTS } from "../../autoscaler/staticData.js";
import { emulateOptions, runAutoscalerEmulate } from "../../cmd/autoscalerEmulate.js";
import { autoscalerServeOptions } from "../../cmd/autoscalerServe.js";
import { INFERENCE_PROFILES } from "../../core/inference/index.js";
import { loadConfig } from "../../platform/config/load.js";
import { envName } from "../../platform/config/options.js";
import type { Deployments } from "../../platform/kube/ports.js";
import { apiFieldProblems } from "./apiFields.js";
import { all, autoscalerSampleData, CHART_DIR, COMBINATIONS, find, NAMESPACE, podSpec, render, renderCombination, RELEASE, template, type Container, type K8sObject } from "./render.js";

const FULL = `${RELEASE}-gpu-steward`;
const AUTOSCALER = `${FULL}-autoscaler`;
const EMULATOR = `${FULL}-autoscaler-emulator`;
const DATA = `${AUTOSCALER}-data`;
/** What the kubelet puts in POD_NAME (metadata.name), for the $(POD_NAME) expansion. */
const POD_NAME = `${AUTOSCALER}-7d9f8b6c4-x2x7q`;

const rendered = COMBINATIONS.map((c) => ({ ...c, objects: renderCombination(c) }));
const byName = (name: string): K8sObject[] => rendered.find((r) => r.name === name)!.objects;
const defaults = byName("defaults (cert-manager)");
const existing = byName("autoscaler: existing ConfigMap");
const inline = byName("autoscaler: inline data, 2 replicas, Prometheus with a token, dry run, emulator");
const elsewhere = byName("autoscaler: ConfigMap in another namespace, capacity from file, no NodeReports, only /invoke");
const monitored = byName("autoscaler and ServiceMonitor");
const withAutoscaler = rendered.filter((r) => r.objects.some((o) => o.kind === "Deployment" && o.metadata.name === AUTOSCALER));

const isAutoscalerObject = (o: K8sObject): boolean => (o.metadata.labels?.["app.kubernetes.io/component"] ?? "").startsWith("autoscaler");
const autoscalerObjects = (objects: K8sObject[]): K8sObject[] => objects.filter(isAutoscalerObject);
const kindsAndNames = (objects: K8sObject[]): string[] => autoscalerObjects(objects).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();
const deployment = (objects: K8sObject[]): K8sObject => find(objects, "Deployment", AUTOSCALER);
const container = (objects: K8sObject[]): Container => podSpec(deployment(objects)).containers.find((c) => c.name === "autoscaler")!;
const emulatorContainer = (objects: K8sObject[]): Container => podSpec(find(objects, "Deployment", EMULATOR)).containers.find((c) => c.name === "emulator")!;
const rulesOf = (o: K8sObject): unknown => o["rules"];

/** The kubelet's expansion of $(VAR) in args from the container's env (valueFrom: what the field gives). */
function expand(args: string[], env: Record<string, string>): string[] {
  return args.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));
}

/** What `steward autoscaler` would read from the rendered args and env (main.ts's parseArgs setup, then its schema). */
function autoscalerCommandLine(objects: K8sObject[]) {
  const c = container(objects);
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? (e.name === "POD_NAME" ? POD_NAME : "from-field")]));
  const [role, ...argv] = expand(c.args ?? [], env);
  const options: NonNullable<ParseArgsConfig["options"]> = { config: { type: "string" } };
  for (const o of autoscalerServeOptions) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  const flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values as Record<string, string | boolean | undefined>;
  return { role, flags, env, config: () => loadConfig(AutoscalerConfig, autoscalerServeOptions, { flags, env }) };
}

/** The emulator's args through `steward autoscaler emulate` itself: one step on no Deployments, silent. */
async function runEmulatorArgs(objects: K8sObject[]): Promise<{ code: number; sleptMs: number[]; words: string[] }> {
  const [role, sub, ...argv] = emulatorContainer(objects).args ?? [];
  const options: NonNullable<ParseArgsConfig["options"]> = { config: { type: "string" } };
  for (const o of emulateOptions) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  const flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values as Record<string, string | boolean | undefined>;
  const none: Deployments = { list: async () => [], get: async () => undefined, scale: async () => 0, change: async () => Promise.reject(new Error("no Deployment")) };
  const sleptMs: number[] = [];
  const code = await runAutoscalerEmulate({ ...flags, steps: "1", "log-level": "silent" }, { deployments: none, env: {}, sleep: async (ms) => void sleptMs.push(ms) });
  return { code, sleptMs, words: [role!, sub!] };
}

function schemaOf(path: string[]): Record<string, unknown> {
  let node = JSON.parse(readFileSync(`${CHART_DIR}/values.schema.json`, "utf8")) as Record<string, unknown>;
  for (const key of path) node = (node["properties"] as Record<string, Record<string, unknown>>)[key]!;
  return node;
}

describe("autoscaler off (default)", () => {
  it("renders no autoscaler or emulator object, and no Lease rule for it", () => {
    expect(autoscalerObjects(defaults)).toEqual([]);
    expect(defaults.filter((o) => o.metadata.name.includes("autoscaler"))).toEqual([]);
    expect(JSON.stringify(defaults)).not.toContain(AUTOSCALER_LEASE);
  });

  it("renders no emulator without the autoscaler, even when asked for", () => {
    const objects = render({ values: { autoscaler: { emulator: { enabled: true } } } });
    expect(autoscalerObjects(objects)).toEqual([]);
  });
});

describe.each(withAutoscaler)("autoscaler wiring: $name", ({ objects }) => {
  it("passes `steward autoscaler` only flags and variables it has, with values its schema accepts", () => {
    const { role, flags, env, config } = autoscalerCommandLine(objects);
    expect(role).toBe("autoscaler");
    expect(flags["once"]).toBeUndefined();
    const known = new Set(autoscalerServeOptions.map((o) => envName(o.flag)));
    for (const name of Object.keys(env).filter((n) => n.startsWith("STEWARD_"))) expect(known.has(name), name).toBe(true);
    const cfg = config();
    expect(cfg).toMatchObject({ port: 3300, kube: { kubeconfig: "in-cluster", identity: POD_NAME, leaseNamespace: NAMESPACE } });
    expect(cfg.dataPath).toBeUndefined();
    expect(cfg.dataConfigMap).toMatch(/^[a-z0-9-]+\/[a-z0-9.-]+$/);
    expect(container(objects).env).toContainEqual({ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } });
  });

  it("serves /invoke, /metrics and /healthz on the port its Service exposes as `http`, probed on /healthz", () => {
    const cfg = autoscalerCommandLine(objects).config();
    const c = container(objects);
    expect(c.ports).toEqual([{ name: "http", containerPort: cfg.port, protocol: "TCP" }]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    const svc = find(objects, "Service", AUTOSCALER);
    const spec = svc["spec"] as { type: string; selector: Record<string, string>; ports: unknown[] };
    expect(svc.metadata.namespace).toBe(NAMESPACE);
    expect(spec.type).toBe("ClusterIP");
    expect(spec.ports).toEqual([{ name: "http", port: 3300, targetPort: "http", protocol: "TCP" }]);
    expect(spec.selector).toEqual((deployment(objects)["spec"] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels);
    expect(spec.selector["app.kubernetes.io/component"]).toBe("autoscaler");
  });

  it("reads the static data it is pointed at, with a Role allowing exactly that ConfigMap in its namespace", () => {
    const [ns, name] = autoscalerCommandLine(objects).config().dataConfigMap!.split("/") as [string, string];
    const roles = all(objects, "Role").filter((r) => r.metadata.namespace === ns && isAutoscalerObject(r));
    const grants = roles.flatMap((r) => rulesOf(r) as { resources: string[]; resourceNames?: string[]; verbs: string[] }[]).filter((r) => r.resources.includes("configmaps"));
    expect(grants).toEqual([{ apiGroups: [""], resources: ["configmaps"], resourceNames: [name], verbs: ["get"] }]);
    for (const role of roles) {
      const binding = find(objects.filter((o) => o.metadata.namespace === ns), "RoleBinding", role.metadata.name);
      expect(binding["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
      expect(binding["subjects"]).toEqual([{ kind: "ServiceAccount", name: AUTOSCALER, namespace: NAMESPACE }]);
    }
  });

  it("elects its leader on the Lease the code names, in --lease-namespace, which its Role covers", () => {
    const cfg = autoscalerCommandLine(objects).config();
    const role = find(objects, "Role", AUTOSCALER);
    expect(role.metadata.namespace).toBe(cfg.kube.leaseNamespace);
    expect(rulesOf(role)).toContainEqual({ apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [AUTOSCALER_LEASE], verbs: ["get", "update"] });
  });

  it("runs as uid 65532, read-only root, no capabilities, on its own ServiceAccount, with a /tmp", () => {
    const pod = podSpec(deployment(objects));
    expect(pod.serviceAccountName).toBe(AUTOSCALER);
    expect(find(objects, "ServiceAccount", AUTOSCALER).metadata.namespace).toBe(NAMESPACE);
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
    expect(container(objects).securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
    expect(container(objects).volumeMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
    expect(container(objects).image).toBe(podSpec(find(objects, "Deployment", FULL)).containers[0]!.image);
  });

  it("renders every autoscaler object with only fields the Kubernetes API has", () => {
    const objs = autoscalerObjects(objects).filter((o) => o.kind !== "ServiceMonitor");
    expect(objs.length).toBeGreaterThanOrEqual(7);
    for (const o of objs) expect(apiFieldProblems(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });
});

describe("autoscaler with an existing ConfigMap", () => {
  it("renders its Deployment, Service, ServiceAccount and RBAC, and no ConfigMap of its own", () => {
    expect(kindsAndNames(existing)).toEqual(
      [
        `ClusterRole//${AUTOSCALER}`,
        `ClusterRoleBinding//${AUTOSCALER}`,
        `Deployment/${NAMESPACE}/${AUTOSCALER}`,
        `Role/${NAMESPACE}/${AUTOSCALER}`,
        `RoleBinding/${NAMESPACE}/${AUTOSCALER}`,
        `Service/${NAMESPACE}/${AUTOSCALER}`,
        `ServiceAccount/${NAMESPACE}/${AUTOSCALER}`,
      ].sort(),
    );
  });

  it("runs `steward autoscaler` with exactly the chart's flags and the autoscaler's defaults", () => {
    expect(container(existing).args).toEqual([
      "autoscaler",
      "--kubeconfig=in-cluster",
      "--identity=$(POD_NAME)",
      `--lease-namespace=${NAMESPACE}`,
      "--port=3300",
      "--period=60",
      `--data-configmap=${NAMESPACE}/inferno-static-data`,
      "--capacity-from=nodes",
      "--profile=v078",
      "--accelerator-node-label=gpu-steward.io/accelerator-type",
      "--max-change=0",
      "--log-level=info",
    ]);
    expect(container(existing).env).toEqual([{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }]);
    const cfg = autoscalerCommandLine(existing).config();
    // Every flag the chart passes equals the autoscaler's own default but the ones the chart must set.
    const own = AutoscalerConfig.parse({ dataConfigMap: `${NAMESPACE}/inferno-static-data` });
    expect(cfg).toEqual({ ...own, kube: { kubeconfig: "in-cluster", identity: POD_NAME, leaseNamespace: NAMESPACE } });
    expect(cfg).toMatchObject({ periodSeconds: 60, dryRun: false, maxChange: 0, scaleToZeroClasses: [], loadFromNodeReports: true, capacityFrom: "nodes", dynamic: false, prometheus: { window: "1m", match: "pod" } });
    expect(cfg.prometheus.url).toBeUndefined();
  });

  it("runs one replica, surging on rollout (the new pod waits for the Lease), scraped through annotations", () => {
    const spec = deployment(existing)["spec"] as { replicas: number; strategy: unknown; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec.template.metadata.labels).toEqual({ "app.kubernetes.io/name": "gpu-steward", "app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/component": "autoscaler" });
    expect(spec.template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "3300", "prometheus.io/path": "/metrics" });
    const c = container(existing);
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 });
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } });
  });

  it("selects none of the controller's pods, and the controller's Service selects none of its own", () => {
    const labels = (deployment(existing)["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    const ctl = find(existing, "Service", FULL)["spec"] as { selector: Record<string, string> };
    expect(Object.entries(ctl.selector).every(([k, v]) => labels[k] === v)).toBe(false);
  });
});

describe("autoscaler RBAC", () => {
  it("has exactly what `steward autoscaler` calls, cluster-wide", () => {
    expect(rulesOf(find(existing, "ClusterRole", AUTOSCALER))).toEqual([
      // LIST by label in every namespace (collector.listManaged), then merge patches: no get.
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] },
      // Capacity from the nodes: one LIST a cycle (AutoscalerCycle, ObjectWatch.list), no watch.
      { apiGroups: [""], resources: ["nodes"], verbs: ["list"] },
      // core/v1 Events (coreV1EventSink), in the Deployments' namespaces.
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports"], verbs: ["list"] },
    ]);
    const binding = find(existing, "ClusterRoleBinding", AUTOSCALER);
    expect(binding["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: AUTOSCALER });
    expect(binding["subjects"]).toEqual([{ kind: "ServiceAccount", name: AUTOSCALER, namespace: NAMESPACE }]);
  });

  it("has the Lease and the static-data ConfigMap, by name, in the release namespace", () => {
    const role = find(existing, "Role", AUTOSCALER);
    expect(role.metadata.namespace).toBe(NAMESPACE);
    expect(rulesOf(role)).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["gpu-steward-autoscaler"], verbs: ["get", "update"] },
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["inferno-static-data"], verbs: ["get"] },
    ]);
    expect(find(existing, "RoleBinding", AUTOSCALER)["subjects"]).toEqual([{ kind: "ServiceAccount", name: AUTOSCALER, namespace: NAMESPACE }]);
  });

  it("grants the ConfigMap in its own namespace when it is elsewhere, and drops nodes and nodereports when unused", () => {
    expect(rulesOf(find(elsewhere, "ClusterRole", AUTOSCALER))).toEqual([
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
    ]);
    expect(rulesOf(find(elsewhere, "Role", AUTOSCALER))).toEqual([
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["gpu-steward-autoscaler"], verbs: ["get", "update"] },
    ]);
    const data = find(elsewhere, "Role", `${AUTOSCALER}-data`);
    expect(data.metadata.namespace).toBe("inferno");
    expect(rulesOf(data)).toEqual([{ apiGroups: [""], resources: ["configmaps"], resourceNames: ["inferno-static-data"], verbs: ["get"] }]);
    const binding = find(elsewhere, "RoleBinding", `${AUTOSCALER}-data`);
    expect(binding.metadata.namespace).toBe("inferno");
    expect(binding["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${AUTOSCALER}-data` });
    expect(binding["subjects"]).toEqual([{ kind: "ServiceAccount", name: AUTOSCALER, namespace: NAMESPACE }]);
    expect(autoscalerCommandLine(elsewhere).config()).toMatchObject({ dataConfigMap: "inferno/inferno-static-data", capacityFrom: "file", loadFromNodeReports: false, periodSeconds: 0 });
    expect(container(elsewhere).args).toEqual(expect.arrayContaining(["--capacity-from=file", "--no-load-from-nodereports", "--period=0"]));
  });

  it("is the only ServiceAccount allowed to scale Deployments", () => {
    for (const objects of [existing, inline]) {
      for (const role of objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role")) {
        const scales = (rulesOf(role) as { resources: string[] }[]).some((r) => r.resources.includes("deployments/scale"));
        expect(scales, `${role.kind}/${role.metadata.name}`).toBe(role.kind === "ClusterRole" && role.metadata.name === AUTOSCALER);
      }
    }
  });
});

describe("autoscaler inline static data", () => {
  const cm = find(inline, "ConfigMap", DATA);
  const data = cm["data"] as Record<string, string>;

  it("renders the four documents into its own ConfigMap, which --data-configmap names", () => {
    expect(cm.metadata.namespace).toBe(NAMESPACE);
    expect(cm.metadata.labels?.["app.kubernetes.io/component"]).toBe("autoscaler");
    expect(Object.keys(data).sort()).toEqual([...STATIC_DOCUMENTS].sort());
    expect(container(inline).args).toContain(`--data-configmap=${NAMESPACE}/${DATA}`);
    expect(autoscalerCommandLine(inline).config().dataConfigMap).toBe(`${NAMESPACE}/${DATA}`);
    expect(rulesOf(find(inline, "Role", AUTOSCALER))).toContainEqual({ apiGroups: [""], resources: ["configmaps"], resourceNames: [DATA], verbs: ["get"] });
  });

  it("writes each document as the JSON the autoscaler decodes, whether given as JSON text or YAML", async () => {
    const sample = autoscalerSampleData();
    for (const name of STATIC_DOCUMENTS) expect(JSON.parse(data[name]!), name).toEqual(JSON.parse(sample[name]!));
    // The autoscaler's own read of a ConfigMap, then the decode a cycle does (capacity from nodes: none here).
    const texts = await configMapDocuments({ get: async () => data }, NAMESPACE, DATA).read(STATIC_DOCUMENTS);
    const system = buildSystem(texts, [], capacityFromNodes([], acceleratorTypes(texts)));
    expect(system.acceleratorData.accelerators.length).toBeGreaterThan(0);
  });

  it("rolls the pods when the data changes", () => {
    const annotations = (deployment(inline)["spec"] as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    expect(annotations["checksum/static-data"]).toMatch(/^[0-9a-f]{64}$/);
    const values = COMBINATIONS.find((c) => c.name === "autoscaler: inline data, 2 replicas, Prometheus with a token, dry run, emulator")!.values as { autoscaler: { staticData: { inline: Record<string, unknown> } } };
    const changed = structuredClone(values);
    changed.autoscaler.staticData.inline["optimizer-data.json"] = { optimizer: { unlimited: true } };
    const other = (deployment(render({ values: changed }))["spec"] as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
    expect(other["checksum/static-data"]).not.toBe(annotations["checksum/static-data"]);
    // An existing ConfigMap is the user's: nothing to hash.
    expect((deployment(existing)["spec"] as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations["checksum/static-data"]).toBeUndefined();
  });

  it("carries capacity-data.json too with capacityFrom=file", () => {
    const docs = autoscalerSampleData([...STATIC_DOCUMENTS, CAPACITY_DOCUMENT]);
    const objects = render({ values: { autoscaler: { enabled: true, capacityFrom: "file", staticData: { inline: docs } } } });
    expect(Object.keys(find(objects, "ConfigMap", DATA)["data"] as object).sort()).toEqual([...STATIC_DOCUMENTS, CAPACITY_DOCUMENT].sort());
    expect(rulesOf(find(objects, "ClusterRole", AUTOSCALER))).not.toContainEqual(expect.objectContaining({ resources: ["nodes"] }));
  });

  it("passes every other setting as the flag the autoscaler reads", () => {
    const c = container(inline);
    expect(c.args).toEqual([
      "autoscaler",
      "--kubeconfig=in-cluster",
      "--identity=$(POD_NAME)",
      `--lease-namespace=${NAMESPACE}`,
      "--port=3300",
      "--period=86400",
      `--data-configmap=${NAMESPACE}/${DATA}`,
      "--capacity-from=nodes",
      "--profile=legacy-v070",
      "--accelerator-node-label=gpu-steward.io/accelerator-type",
      "--max-change=2",
      "--log-level=info",
      "--scale-to-zero-classes=Bronze,Free",
      "--dynamic",
      "--dry-run",
      "--prometheus-url=http://prometheus-operated.monitoring.svc:9090",
      "--prometheus-window=90s",
      "--prometheus-match=job",
      "--prometheus-token-file=/var/run/secrets/gpu-steward/prometheus/token",
      "--bind-address=0.0.0.0",
    ]);
    expect(autoscalerCommandLine(inline).config()).toMatchObject({
      periodSeconds: 86400,
      profile: "legacy-v070",
      maxChange: 2,
      scaleToZeroClasses: ["Bronze", "Free"],
      dynamic: true,
      dryRun: true,
      prometheus: { url: "http://prometheus-operated.monitoring.svc:9090", window: "90s", match: "job", tokenFile: "/var/run/secrets/gpu-steward/prometheus/token" },
      bindAddress: "0.0.0.0",
    });
    expect((deployment(inline)["spec"] as { replicas: number }).replicas).toBe(2);
  });

  it("mounts the Prometheus token from its Secret, read-only, where --prometheus-token-file points", () => {
    const tokenFile = autoscalerCommandLine(inline).config().prometheus.tokenFile!;
    const mount = container(inline).volumeMounts!.find((m) => m.name === "prometheus-token")!;
    expect(mount).toEqual({ name: "prometheus-token", mountPath: tokenFile.slice(0, tokenFile.lastIndexOf("/")), readOnly: true });
    expect(podSpec(deployment(inline)).volumes).toContainEqual({ name: "prometheus-token", secret: { secretName: "prometheus-token", items: [{ key: "token", path: "token" }] } });
    expect(podSpec(deployment(existing)).volumes!.map((v) => v.name)).toEqual(["tmp"]);
  });
});

describe("autoscaler values the chart refuses", () => {
  const withoutSchema = (values: Record<string, unknown>) => template({ values, flags: ["--skip-schema-validation"] });

  it("enabled without static data: the schema names the key, and the template says what to set", () => {
    const run = template({ values: { autoscaler: { enabled: true } } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("/autoscaler/staticData");
    expect(run.stderr).toMatch(/missing property 'configMap'[\s\S]*missing property 'inline'/);
    const backstop = withoutSchema({ autoscaler: { enabled: true } });
    expect(backstop.code).not.toBe(0);
    expect(backstop.stderr).toContain("autoscaler.enabled=true needs the optimizer's static data: set autoscaler.staticData.configMap.name");
    expect(backstop.stderr).toContain("or autoscaler.staticData.inline");
  });

  it("both sources, a missing document, a document that is not JSON, a token without Prometheus", () => {
    const docs = autoscalerSampleData();
    const cases: [Record<string, unknown>, string][] = [
      [{ staticData: { configMap: { name: "inferno-static-data" }, inline: docs } }, "autoscaler.staticData: set configMap (an existing ConfigMap) or inline (the documents), not both"],
      [{ capacityFrom: "file", staticData: { inline: docs } }, "autoscaler.staticData.inline needs the document capacity-data.json (autoscaler.capacityFrom=file)"],
      [{ staticData: { inline: { ...docs, "model-data.json": "{ models: [" } } }, "autoscaler.staticData.inline.model-data.json is not a JSON object"],
      [{ staticData: { configMap: { name: "inferno-static-data" } }, prometheus: { tokenSecret: { name: "prometheus-token" } } }, "autoscaler.prometheus.tokenSecret is set without autoscaler.prometheus.url"],
    ];
    for (const [values, message] of cases) {
      const run = withoutSchema({ autoscaler: { enabled: true, ...values } });
      expect(run.code, message).not.toBe(0);
      expect(run.stderr).toContain(message);
    }
    // The schema refuses the first already (maxProperties), with the key named.
    const both = template({ values: { autoscaler: { enabled: true, ...cases[0]![0] } } });
    expect(both.stderr).toContain("/autoscaler/staticData");
  });

  it("has the autoscaler's own enumerations in the schema", () => {
    expect(schemaOf(["autoscaler", "profile"])["enum"]).toEqual([...INFERENCE_PROFILES]);
    expect(schemaOf(["autoscaler", "capacityFrom"])["enum"]).toEqual(AutoscalerConfig.shape.capacityFrom.unwrap().options);
    expect(schemaOf(["autoscaler", "prometheus", "match"])["enum"]).toEqual(AutoscalerConfig.shape.prometheus.unwrap().shape.match.unwrap().options);
    expect(schemaOf(["autoscaler", "logLevel"])["enum"]).toEqual(AutoscalerConfig.shape.log.unwrap().shape.level.unwrap().options);
  });
});

describe("autoscaler metrics", () => {
  it("adds a ServiceMonitor on its Service's `http` port, beside the controller's and the agents'", () => {
    expect(all(monitored, "ServiceMonitor").map((o) => o.metadata.name).sort()).toEqual([FULL, `${FULL}-agent`, AUTOSCALER].sort());
    const sm = find(monitored, "ServiceMonitor", AUTOSCALER)["spec"] as { namespaceSelector: unknown; selector: { matchLabels: Record<string, string> }; endpoints: unknown[] };
    expect(sm.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    expect(sm.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
    const svc = find(monitored, "Service", AUTOSCALER);
    expect(Object.entries(sm.selector.matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v)).toBe(true);
    // Neither the controller's nor the agents' ServiceMonitor picks up the autoscaler's Service.
    for (const other of [FULL, `${FULL}-agent`]) {
      const sel = (find(monitored, "ServiceMonitor", other)["spec"] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(Object.entries(sel).every(([k, v]) => svc.metadata.labels?.[k] === v), other).toBe(false);
    }
  });

  it("has no ServiceMonitor without metrics.serviceMonitor, nor one for the autoscaler while it is off", () => {
    expect(all(existing, "ServiceMonitor")).toEqual([]);
    const off = byName("ServiceMonitor");
    expect(all(off, "ServiceMonitor").map((o) => o.metadata.name)).not.toContain(AUTOSCALER);
  });
});

describe("load emulator", () => {
  it("is off unless asked for", () => {
    for (const objects of [existing, elsewhere, monitored]) expect(objects.filter((o) => o.metadata.name === EMULATOR)).toEqual([]);
  });

  it("renders one Recreate replica of `steward autoscaler emulate` with its own ServiceAccount and only deployments list + patch", () => {
    expect(kindsAndNames(inline).filter((k) => k.endsWith(EMULATOR))).toEqual(
      [`ClusterRole//${EMULATOR}`, `ClusterRoleBinding//${EMULATOR}`, `Deployment/${NAMESPACE}/${EMULATOR}`, `ServiceAccount/${NAMESPACE}/${EMULATOR}`].sort(),
    );
    const d = find(inline, "Deployment", EMULATOR);
    expect(d["spec"]).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
    expect(podSpec(d).serviceAccountName).toBe(EMULATOR);
    expect(emulatorContainer(inline).args).toEqual(["autoscaler", "emulate", "--kubeconfig=in-cluster", "--mode=mean-reverting", "--interval=30", "--seed=4294967295", "--log-level=info"]);
    expect(emulatorContainer(inline).ports).toBeUndefined();
    expect(rulesOf(find(inline, "ClusterRole", EMULATOR))).toEqual([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "patch"] }]);
    expect(find(inline, "ClusterRoleBinding", EMULATOR)["subjects"]).toEqual([{ kind: "ServiceAccount", name: EMULATOR, namespace: NAMESPACE }]);
    for (const o of inline.filter((x) => x.metadata.name === EMULATOR)) expect(apiFieldProblems(o), o.kind).toEqual([]);
  });

  it("passes flags `steward autoscaler emulate` takes, with values its schema accepts", async () => {
    const { code, sleptMs, words } = await runEmulatorArgs(inline);
    expect(words).toEqual(["autoscaler", "emulate"]);
    expect(code).toBe(0);
    expect(sleptMs).toEqual([30_000]);
  });

  it("leaves --seed out when seed is null (random, logged), and the emulate command check catches a bad mode", async () => {
    const base = { enabled: true, staticData: { configMap: { name: "inferno-static-data" } } };
    const objects = render({ values: { autoscaler: { ...base, emulator: { enabled: true } } } });
    expect(emulatorContainer(objects).args).toEqual(["autoscaler", "emulate", "--kubeconfig=in-cluster", "--mode=classic", "--interval=60", "--log-level=info"]);
    expect((await runEmulatorArgs(objects)).code).toBe(0);
    const bad = render({ values: { autoscaler: { ...base, emulator: { enabled: true, extraArgs: ["--alpha=2"] } } } });
    await expect(runEmulatorArgs(bad)).rejects.toThrow(/alpha/);
  });
});

describe("the autoscaler command-line check itself", () => {
  const base = { enabled: true, staticData: { configMap: { name: "inferno-static-data" } } };

  it("catches a flag that `steward autoscaler` does not have", () => {
    expect(() => autoscalerCommandLine(render({ values: { autoscaler: { ...base, extraArgs: ["--no-such-flag=1"] } } }))).toThrow(/no-such-flag/);
  });

  it("catches a value the autoscaler's schema refuses", () => {
    const { config } = autoscalerCommandLine(render({ values: { autoscaler: { ...base, extraArgs: ["--data-path=/data"] } } }));
    expect(() => config()).toThrow(/data-path|dataPath/);
  });

  it("leaves $(POD_NAME) to the kubelet, which only expands variables the container defines", () => {
    expect(expand(["--identity=$(POD_NAME)", "--x=$(UNSET)"], { POD_NAME: "p" })).toEqual(["--identity=p", "--x=$(UNSET)"]);
  });
});

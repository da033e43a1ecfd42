/**
 * The chart's pieces point at each other: webhook → Service → controller port, scheduler config →
 * extender port, TLS Secret → certificate source, and the controller's command line is one that
 * `steward controller` accepts (parsed and validated with the controller's own options and schema).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadServeConfig, serveOptions } from "../../cmd/serve.js";
import { envName } from "../../platform/config/options.js";
import { all, CHART_DIR, COMBINATIONS, find, helm, NAMESPACE, podSpec, render, renderCombination, RELEASE, type Container, type K8sObject } from "./render.js";

const FULL = `${RELEASE}-gpu-steward`;
const rendered = COMBINATIONS.map((c) => ({ ...c, objects: renderCombination(c) }));
const defaults = rendered[0]!.objects;
const selfSigned = rendered.find((r) => r.name === "self-signed")!.objects;

function controllerWorkload(objects: K8sObject[]): K8sObject {
  return objects.find((o) => (o.kind === "Deployment" || o.kind === "StatefulSet") && o.metadata.labels?.["app.kubernetes.io/component"] === "controller")!;
}
function controllerContainer(objects: K8sObject[]): Container {
  return podSpec(controllerWorkload(objects)).containers.find((c) => c.name === "controller")!;
}
interface SchedulerConfig {
  percentageOfNodesToScore: number;
  leaderElection: { leaderElect: boolean; resourceNamespace: string; resourceName: string };
  profiles: { schedulerName: string }[];
  extenders: Record<string, unknown>[];
}
function schedulerConfig(objects: K8sObject[]): SchedulerConfig {
  const cm = find(objects, "ConfigMap", `${FULL}-scheduler-config`);
  return parseYaml((cm["data"] as Record<string, string>)["scheduler-config.yaml"]!) as SchedulerConfig;
}
function servicePort(objects: K8sObject[], port: number): { name: string; port: number; targetPort: string } {
  const svc = find(objects, "Service", FULL);
  const hit = (svc["spec"] as { ports: { name: string; port: number; targetPort: string }[] }).ports.find((p) => p.port === port);
  if (!hit) throw new Error(`Service ${FULL} has no port ${port}`);
  return hit;
}

/** What `steward controller` would parse from the rendered args/env/config (same parseArgs setup as main.ts). */
function parseControllerCommandLine(objects: K8sObject[]) {
  const c = controllerContainer(objects);
  const [role, ...argv] = c.args ?? [];
  const options: NonNullable<ParseArgsConfig["options"]> = { config: { type: "string" } };
  for (const o of serveOptions) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  const flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values as Record<string, string | boolean | undefined>;
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? "from-field"]));
  return { role, flags, env };
}

describe.each(rendered)("wiring: $name", ({ objects }) => {
  it("passes `steward controller` only flags and STEWARD_* variables it has, with values its schema accepts", () => {
    const { role, flags, env } = parseControllerCommandLine(objects);
    expect(role).toBe("controller");
    const known = new Set(serveOptions.map((o) => envName(o.flag)));
    for (const name of Object.keys(env).filter((n) => n.startsWith("STEWARD_"))) expect(known.has(name), name).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "gs-config-"));
    try {
      let configFile: string | undefined;
      if (typeof flags["config"] === "string") {
        const cm = find(objects, "ConfigMap", `${FULL}-config`);
        configFile = join(dir, "config.yaml");
        writeFileSync(configFile, (cm["data"] as Record<string, string>)["config.yaml"]!);
        expect(flags["config"]).toBe("/etc/gpu-steward/config.yaml");
      }
      const config = loadServeConfig({ flags, env, ...(configFile && { configFile }) });
      expect(config.kube.kubeconfig).toBe("in-cluster");
      expect(config.kube.leaseNamespace).toBe(NAMESPACE);
      expect(config.server.tlsCert).toBe("/tls/tls.crt");
      expect(config.server.tlsKey).toBe("/tls/tls.key");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sends the webhook to the Service port that reaches the controller's --webhook-port", () => {
    const { flags } = parseControllerCommandLine(objects);
    for (const mwc of all(objects, "MutatingWebhookConfiguration")) {
      const svcRef = ((mwc["webhooks"] as { clientConfig: { service: { name: string; namespace: string; path: string; port: number } } }[])[0]!).clientConfig.service;
      expect(svcRef).toMatchObject({ name: FULL, namespace: NAMESPACE, path: "/mutate" });
      const port = servicePort(objects, svcRef.port);
      const containerPort = controllerContainer(objects).ports!.find((p) => p.name === port.targetPort)!;
      expect(String(containerPort.containerPort)).toBe(flags["webhook-port"]);
    }
  });

  it("points the scheduler's extender at the Service port that reaches --extender-port (8888)", () => {
    if (all(objects, "ConfigMap").every((c) => c.metadata.name !== `${FULL}-scheduler-config`)) return; // scheduler off
    const { flags } = parseControllerCommandLine(objects);
    const ext = schedulerConfig(objects).extenders[0]!;
    const url = new URL(ext["urlPrefix"] as string);
    expect(url.hostname).toBe(`${FULL}.${NAMESPACE}.svc`);
    expect(url.port).toBe("8888");
    const port = servicePort(objects, Number(url.port));
    const containerPort = controllerContainer(objects).ports!.find((p) => p.name === port.targetPort)!;
    expect(String(containerPort.containerPort)).toBe(flags["extender-port"]);
    expect(url.protocol).toBe(flags["extender-tls"] === true ? "https:" : "http:");
  });

  it("probes /healthz and /readyz on the controller's --metrics-port", () => {
    const c = controllerContainer(objects);
    const { flags } = parseControllerCommandLine(objects);
    const metricsPort = c.ports!.find((p) => p.name === "metrics")!.containerPort;
    expect(String(metricsPort)).toBe(flags["metrics-port"]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "metrics" });
  });

  it("mounts the serving Secret that the certificate source writes", () => {
    const tls = podSpec(controllerWorkload(objects)).volumes!.find((v) => v.name === "tls")!;
    const secretName = tls.secret!.secretName;
    expect(controllerContainer(objects).volumeMounts).toContainEqual({ name: "tls", mountPath: "/tls", readOnly: true });
    const certificates = all(objects, "Certificate").filter((c) => !(c["spec"] as { isCA?: boolean }).isCA);
    const jobs = all(objects, "Job");
    if (certificates.length > 0) expect((certificates[0]!["spec"] as { secretName: string }).secretName).toBe(secretName);
    else for (const job of jobs) expect(podSpec(job).containers[0]!.env).toContainEqual({ name: "SECRET_NAME", value: secretName });
    expect(certificates.length + jobs.length).toBeGreaterThan(0);
  });
});

describe("controller", () => {
  it("runs 2 replicas spread over nodes, with a PodDisruptionBudget over the same pods", () => {
    const d = find(defaults, "Deployment", FULL);
    const spec = d["spec"] as { replicas: number; selector: { matchLabels: Record<string, string> } };
    expect(spec.replicas).toBe(2);
    const anti = podSpec(d).affinity!["podAntiAffinity"] as { preferredDuringSchedulingIgnoredDuringExecution: { podAffinityTerm: { topologyKey: string; labelSelector: unknown } }[] };
    expect(anti.preferredDuringSchedulingIgnoredDuringExecution[0]!.podAffinityTerm).toEqual({ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: spec.selector.matchLabels } });
    const pdb = find(defaults, "PodDisruptionBudget", FULL)["spec"] as { maxUnavailable: number; selector: unknown };
    expect(pdb).toEqual({ maxUnavailable: 1, selector: { matchLabels: spec.selector.matchLabels } });
  });

  it("keeps state on an emptyDir by default and on one claim per replica (StatefulSet) with persistence", () => {
    expect(podSpec(find(defaults, "Deployment", FULL)).volumes).toContainEqual({ name: "state", emptyDir: { sizeLimit: "1Gi" } });
    const sts = find(rendered.find((r) => r.name === "persistent state (StatefulSet)")!.objects, "StatefulSet", FULL);
    expect(podSpec(sts).volumes!.some((v) => v.name === "state")).toBe(false);
    expect((sts["spec"] as { volumeClaimTemplates: { metadata: { name: string } }[] }).volumeClaimTemplates[0]!.metadata.name).toBe("state");
  });

  it("has exactly the permissions `steward controller` uses in cluster mode", () => {
    expect(find(defaults, "ClusterRole", FULL)["rules"]).toEqual([
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
      { apiGroups: [""], resources: ["nodes", "pods"], verbs: ["list", "watch"] },
      { apiGroups: ["kubeflow.org"], resources: ["pytorchjobs"], verbs: ["list", "get", "patch"] },
      { apiGroups: ["workload.codeflare.dev"], resources: ["appwrappers"], verbs: ["list", "get", "patch"] },
      // The agents' reports, followed by the cluster view (ClusterWatches.nodeReports); the agent writes them, not the controller.
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports"], verbs: ["list", "watch"] },
    ]);
    const leases = find(defaults, "Role", `${FULL}-leader-election`);
    expect(leases.metadata.namespace).toBe(NAMESPACE);
    expect(leases["rules"]).toContainEqual({ apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["gpu-steward-controller"], verbs: ["get", "update"] });
    // The shared-state snapshot (extender/sharedState): created once, then read and replaced by name.
    expect(leases["rules"]).toContainEqual({ apiGroups: [""], resources: ["configmaps"], verbs: ["create"] });
    expect(leases["rules"]).toContainEqual({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["gpu-steward-state"], verbs: ["get", "update"] });
  });
});

describe("NodeReport CRD", () => {
  it("ships under crds/: installed by helm (--include-crds shows it), never templated into the release", () => {
    const run = helm(["template", RELEASE, CHART_DIR, "--namespace", NAMESPACE, "--include-crds"]);
    expect(run.code, run.stderr).toBe(0);
    const crds = run.stdout
      .split(/^---$/m)
      .map((doc) => parseYaml(doc) as K8sObject | null)
      .filter((o): o is K8sObject => o?.kind === "CustomResourceDefinition");
    expect(crds.map((c) => c.metadata.name)).toEqual(["nodereports.gpu-steward.io"]);
    expect(crds[0]!["spec"]).toMatchObject({ group: "gpu-steward.io", scope: "Cluster", names: { kind: "NodeReport", plural: "nodereports" } });
    expect(all(defaults, "CustomResourceDefinition")).toEqual([]);
  });
});

describe("second scheduler", () => {
  it("has a gpu-steward profile and our extender with the settings kube-scheduler needs", () => {
    const cfg = schedulerConfig(defaults);
    expect(cfg.profiles).toEqual([{ schedulerName: "gpu-steward" }]);
    expect(cfg.percentageOfNodesToScore).toBe(100);
    expect(cfg.extenders).toEqual([
      {
        urlPrefix: `http://${FULL}.${NAMESPACE}.svc:8888`,
        filterVerb: "filter",
        prioritizeVerb: "prioritize",
        weight: 2,
        nodeCacheCapable: true,
        ignorable: true,
        httpTimeout: "5s",
        managedResources: [{ name: "nvidia.com/gpu", ignoredByScheduler: false }],
      },
    ]);
  });

  it("elects a leader on its own Lease in the release namespace, which its Role covers", () => {
    const { leaderElection } = schedulerConfig(defaults);
    expect(leaderElection).toMatchObject({ leaderElect: true, resourceNamespace: NAMESPACE, resourceName: `${FULL}-scheduler` });
    const role = find(defaults, "Role", `${FULL}-scheduler-leader-election`);
    expect(role["rules"]).toContainEqual({ apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [leaderElection.resourceName], verbs: ["get", "update"] });
  });

  it("runs kube-scheduler on that config, bound to system:kube-scheduler and system:volume-scheduler", () => {
    const d = find(defaults, "Deployment", `${FULL}-scheduler`);
    const c = podSpec(d).containers[0]!;
    expect(c.image).toMatch(/^registry\.k8s\.io\/kube-scheduler:v\d+\.\d+\.\d+$/);
    expect(c.command).toContain("--config=/etc/kubernetes/gpu-steward/scheduler-config.yaml");
    expect(c.volumeMounts).toContainEqual({ name: "config", mountPath: "/etc/kubernetes/gpu-steward", readOnly: true });
    expect(podSpec(d).volumes).toContainEqual({ name: "config", configMap: { name: `${FULL}-scheduler-config` } });
    const bound = all(defaults, "ClusterRoleBinding")
      .filter((b) => (b["subjects"] as { name: string }[]).some((s) => s.name === podSpec(d).serviceAccountName))
      .map((b) => (b["roleRef"] as { name: string }).name);
    expect(bound.sort()).toEqual(["system:kube-scheduler", "system:volume-scheduler"]);
  });

  it("checks the extender's certificate against the Secret's ca.crt when the extender serves TLS", () => {
    const objects = rendered.find((r) => r.name === "extender over TLS")!.objects;
    const ext = schedulerConfig(objects).extenders[0]!;
    expect(ext).toMatchObject({ enableHTTPS: true, tlsConfig: { caFile: "/etc/gpu-steward-ca/ca.crt", serverName: `${FULL}.${NAMESPACE}.svc` } });
    expect(podSpec(find(objects, "Deployment", `${FULL}-scheduler`)).volumes).toContainEqual({
      name: "extender-ca",
      secret: { secretName: `${FULL}-webhook-tls`, items: [{ key: "ca.crt", path: "ca.crt" }] },
    });
  });
});

describe("certificates", () => {
  it("cert-manager: the webhook asks cainjector for the serving Certificate's CA, which a CA Issuer signs", () => {
    const mwc = find(defaults, "MutatingWebhookConfiguration", FULL);
    expect(mwc.metadata.annotations).toEqual({ "cert-manager.io/inject-ca-from": `${NAMESPACE}/${FULL}-serving-cert` });
    const cert = find(defaults, "Certificate", `${FULL}-serving-cert`)["spec"] as { dnsNames: string[]; issuerRef: { kind: string; name: string } };
    expect(cert.dnsNames).toEqual([`${FULL}.${NAMESPACE}.svc`, `${FULL}.${NAMESPACE}.svc.cluster.local`]);
    expect(find(defaults, "Issuer", cert.issuerRef.name)["spec"]).toEqual({ ca: { secretName: `${FULL}-ca` } });
    expect((find(defaults, "Certificate", `${FULL}-ca`)["spec"] as { isCA: boolean }).isCA).toBe(true);
    expect(all(defaults, "Job")).toEqual([]);
  });

  it("self-signed: a pre-install/pre-upgrade Job issues, a post-install/post-upgrade Job injects the caBundle", () => {
    const mwc = find(selfSigned, "MutatingWebhookConfiguration", FULL);
    expect(mwc.metadata.annotations).toBeUndefined();
    expect(all(selfSigned, "Certificate")).toEqual([]);
    const ensure = find(selfSigned, "Job", `${FULL}-certgen-ensure`);
    const inject = find(selfSigned, "Job", `${FULL}-certgen-inject`);
    expect(ensure.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(inject.metadata.annotations?.["helm.sh/hook"]).toBe("post-install,post-upgrade");
    expect(podSpec(ensure).containers[0]!.command).toEqual(["node", "/scripts/certgen.mjs", "ensure"]);
    expect(podSpec(inject).containers[0]!.env).toContainEqual({ name: "WEBHOOK_NAME", value: FULL });
    const dns = podSpec(ensure).containers[0]!.env!.find((e) => e.name === "DNS_NAMES")!.value;
    expect(dns).toBe(`${FULL}.${NAMESPACE}.svc,${FULL}.${NAMESPACE}.svc.cluster.local`);
    // The hook's RBAC exists in every phase its Jobs run in, and is limited to the one webhook configuration.
    for (const o of selfSigned.filter((x) => x.metadata.name === `${FULL}-certgen` && x.kind !== "Job")) {
      expect(o.metadata.annotations?.["helm.sh/hook"], o.kind).toBe("pre-install,pre-upgrade,post-install,post-upgrade");
      expect(Number(o.metadata.annotations?.["helm.sh/hook-weight"])).toBeLessThan(0);
    }
    expect(find(selfSigned, "ClusterRole", `${FULL}-certgen`)["rules"]).toEqual([
      { apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations"], resourceNames: [FULL], verbs: ["get", "patch"] },
    ]);
  });
});

describe("the command-line check itself", () => {
  it("catches a flag that `steward controller` does not have", () => {
    const objects = render({ values: { controller: { extraArgs: ["--no-such-flag=1"] } } });
    expect(() => parseControllerCommandLine(objects)).toThrow(/no-such-flag/);
  });

  it("catches a value the controller's schema refuses", () => {
    const objects = render({ values: { controller: { extraArgs: ["--policy=fastest"] } } });
    const { flags, env } = parseControllerCommandLine(objects);
    expect(() => loadServeConfig({ flags, env })).toThrow(/policy/);
  });
});

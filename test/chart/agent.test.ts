/**
 * The node agent in the chart (templates/agent): the DaemonSet `steward agent` runs in, its host
 * access, its RBAC and its metrics wiring, and its command line as the agent itself reads it
 * (cmd/agent.ts's options into nodeagent/daemon's AgentConfig), for every documented combination.
 */
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { describe, expect, it } from "vitest";
import { agentOptions } from "../../cmd/agent.js";
import { AgentConfig } from "../../nodeagent/daemon/config.js";
import { loadConfig } from "../../platform/config/load.js";
import { envName } from "../../platform/config/options.js";
import { all, COMBINATIONS, find, NAMESPACE, podSpec, render, renderCombination, RELEASE, type Container, type K8sObject } from "./render.js";

const FULL = `${RELEASE}-gpu-steward`;
const AGENT = `${FULL}-agent`;
const rendered = COMBINATIONS.map((c) => ({ ...c, objects: renderCombination(c) }));
const byName = (name: string): K8sObject[] => rendered.find((r) => r.name === name)!.objects;
const defaults = byName("defaults (cert-manager)");
const withAgent = rendered.filter((r) => r.objects.some((o) => o.kind === "DaemonSet"));

const agentObjects = (objects: K8sObject[]): K8sObject[] => objects.filter((o) => o.metadata.labels?.["app.kubernetes.io/component"] === "agent");
const daemonSet = (objects: K8sObject[]): K8sObject => find(objects, "DaemonSet", AGENT);
const agentContainer = (objects: K8sObject[]): Container => podSpec(daemonSet(objects)).containers.find((c) => c.name === "agent")!;
const rules = (objects: K8sObject[]): unknown => find(objects, "ClusterRole", AGENT)["rules"];

interface Mount {
  mountPath: string;
  readOnly: boolean;
  recursiveReadOnly?: string;
  hostPath?: { path: string; type?: string };
}
/** Volume name → where it is mounted and what it is on the host. */
function mounts(objects: K8sObject[]): Map<string, Mount> {
  const volumes = new Map((podSpec(daemonSet(objects)).volumes ?? []).map((v) => [v.name, v]));
  return new Map(
    (agentContainer(objects).volumeMounts ?? []).map((m) => [
      m.name,
      { mountPath: m.mountPath, readOnly: m.readOnly === true, ...(m.recursiveReadOnly && { recursiveReadOnly: m.recursiveReadOnly }), ...(volumes.get(m.name)?.hostPath && { hostPath: volumes.get(m.name)!.hostPath! }) },
    ]),
  );
}

/** What `steward agent` would read from the rendered args and env (main.ts's parseArgs setup, then its schema). */
function agentCommandLine(objects: K8sObject[]) {
  const c = agentContainer(objects);
  const [role, ...argv] = c.args ?? [];
  const options: NonNullable<ParseArgsConfig["options"]> = { config: { type: "string" } };
  for (const o of agentOptions) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  const flags = parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values as Record<string, string | boolean | undefined>;
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? "from-field"]));
  return { role, flags, env, config: () => loadConfig(AgentConfig, agentOptions, { flags, env }) };
}

describe.each(withAgent)("agent wiring: $name", ({ objects }) => {
  it("passes `steward agent` only flags and STEWARD_* variables it has, with values its schema accepts", () => {
    const { role, env, config } = agentCommandLine(objects);
    expect(role).toBe("agent");
    const known = new Set(agentOptions.map((o) => envName(o.flag)));
    for (const name of Object.keys(env).filter((n) => n.startsWith("STEWARD_"))) expect(known.has(name), name).toBe(true);
    const cfg = config();
    expect(cfg).toMatchObject({ once: false, hostRoot: "/host", cgroupRoot: "/host-cgroup", stateDir: "/var/lib/gpu-steward", metricsPort: 8081, kube: { kubeconfig: "in-cluster" } });
    // The node name comes from NODE_NAME (the pod's spec.nodeName), never a flag.
    expect(cfg.nodeName).toBeUndefined();
    expect(agentContainer(objects).env).toContainEqual({ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
  });

  it("mounts each host path the agent reads where its settings say, the host's path under /host", () => {
    const cfg = agentCommandLine(objects).config();
    const m = mounts(objects);
    const at = (mountPath: string): Mount | undefined => [...m.values()].find((x) => x.mountPath === mountPath);
    expect(at(path.join(cfg.hostRoot, "sys"))?.hostPath).toEqual({ path: "/sys", type: "Directory" });
    expect(at(path.join(cfg.hostRoot, "proc"))?.hostPath).toEqual({ path: "/proc", type: "Directory" });
    expect(at(cfg.cgroupRoot!)?.hostPath).toEqual({ path: "/sys/fs/cgroup", type: "Directory" });
    expect(at(cfg.stateDir)?.hostPath).toEqual({ path: cfg.stateDir, type: "DirectoryOrCreate" });
    const socketDir = path.dirname(cfg.podResourcesSocket);
    expect(at(path.join(cfg.hostRoot, socketDir))?.hostPath).toEqual({ path: socketDir, type: "DirectoryOrCreate" });
    if (cfg.tenantMetricsDir === "") expect(m.has("tenant-metrics")).toBe(false);
    else expect(at(path.join(cfg.hostRoot, cfg.tenantMetricsDir))?.hostPath).toEqual({ path: cfg.tenantMetricsDir, type: "DirectoryOrCreate" });
    for (const x of m.values()) if (x.mountPath.startsWith("/host/")) expect(x.hostPath?.path, x.mountPath).toBe(x.mountPath.slice("/host".length));
  });

  it("mounts the host read-only but for its state dir and, while it may write there, the cgroup tree", () => {
    const cfg = agentCommandLine(objects).config();
    const m = mounts(objects);
    for (const name of ["host-sys", "host-proc", "pod-resources", "tenant-metrics"]) if (m.has(name)) expect(m.get(name)!.readOnly, name).toBe(true);
    expect(m.get("state")!.readOnly).toBe(false);
    expect(m.get("host-cgroup")!.readOnly).toBe(cfg.dryRun);
  });

  it("probes /healthz and /readyz on --metrics-port, runs hostPID, on its own ServiceAccount", () => {
    const c = agentContainer(objects);
    expect(c.ports).toEqual([{ name: "metrics", containerPort: agentCommandLine(objects).config().metricsPort, protocol: "TCP" }]);
    expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "metrics" });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "metrics" });
    expect(podSpec(daemonSet(objects)).hostPID).toBe(true);
    expect(podSpec(daemonSet(objects)).serviceAccountName).toBe(AGENT);
    expect(find(objects, "ServiceAccount", AGENT).metadata.namespace).toBe(NAMESPACE);
  });
});

describe("node agent DaemonSet, default values", () => {
  const ds = daemonSet(defaults);
  const pod = podSpec(ds);
  const c = agentContainer(defaults);

  it("runs `steward agent` with the chart's host layout and the agent's defaults", () => {
    expect(c.image).toBe(podSpec(find(defaults, "Deployment", FULL)).containers[0]!.image);
    expect(c.args).toEqual([
      "agent",
      "--kubeconfig=in-cluster",
      "--host-root=/host",
      "--cgroup-root=/host-cgroup",
      "--state-dir=/var/lib/gpu-steward",
      "--poll-interval=10",
      "--metrics-port=8081",
      "--nvidia-smi=nvidia-smi",
      "--pod-resources-socket=/var/lib/kubelet/pod-resources/kubelet.sock",
      "--tenant-metrics-dir=/var/run/tenant_metrics",
      "--log-level=info",
      "--dry-run",
    ]);
    const cfg = agentCommandLine(defaults).config();
    expect(cfg).toMatchObject({ pollIntervalSeconds: 10, dryRun: true, mitigation: { enabled: true }, nvidiaSmi: "nvidia-smi" });
    expect(cfg.mitigation.migLayout).toBeUndefined();
  });

  it("sets NODE_NAME from the pod's node and asks the NVIDIA runtime for every GPU, utility only", () => {
    expect(c.env).toEqual([
      { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
      { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
      { name: "NVIDIA_DRIVER_CAPABILITIES", value: "utility" },
    ]);
    expect(pod.runtimeClassName).toBe("nvidia");
  });

  it("mounts /sys, /proc, the cgroup tree, the kubelet's pod-resources, tenant files and its state dir", () => {
    expect(Object.fromEntries(mounts(defaults))).toEqual({
      "host-sys": { mountPath: "/host/sys", readOnly: true, recursiveReadOnly: "IfPossible", hostPath: { path: "/sys", type: "Directory" } },
      "host-proc": { mountPath: "/host/proc", readOnly: true, recursiveReadOnly: "IfPossible", hostPath: { path: "/proc", type: "Directory" } },
      "host-cgroup": { mountPath: "/host-cgroup", readOnly: true, hostPath: { path: "/sys/fs/cgroup", type: "Directory" } },
      "pod-resources": { mountPath: "/host/var/lib/kubelet/pod-resources", readOnly: true, hostPath: { path: "/var/lib/kubelet/pod-resources", type: "DirectoryOrCreate" } },
      "tenant-metrics": { mountPath: "/host/var/run/tenant_metrics", readOnly: true, hostPath: { path: "/var/run/tenant_metrics", type: "DirectoryOrCreate" } },
      state: { mountPath: "/var/lib/gpu-steward", readOnly: false, hostPath: { path: "/var/lib/gpu-steward", type: "DirectoryOrCreate" } },
      tmp: { mountPath: "/tmp", readOnly: false },
    });
    expect(pod.volumes).toContainEqual({ name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
  });

  it("runs as root with hostPID only: no capability, not privileged, no escalation, read-only root", () => {
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.securityContext).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
  });

  it("probes liveness on /healthz and readiness on /readyz (a poll within 3 intervals), with room for the first poll", () => {
    expect(c.livenessProbe).toEqual({ httpGet: { path: "/healthz", port: "metrics" }, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 3 });
    expect(c.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: "metrics" }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
  });

  it("runs on GPU Operator-labelled nodes, tolerating the GPU taint, node-critical, with time to restore on SIGTERM", () => {
    expect(pod.nodeSelector).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(pod.priorityClassName).toBe("system-node-critical");
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } });
  });

  it("rolls 10% of nodes at a time, never two agents on one node", () => {
    expect(ds["spec"]).toMatchObject({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: 0 } } });
    const spec = ds["spec"] as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
    expect(spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "gpu-steward", "app.kubernetes.io/instance": RELEASE, "app.kubernetes.io/component": "agent" });
    expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.template.metadata.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "8081", "prometheus.io/path": "/metrics" });
  });

  it("selects none of the controller's pods, nor does the controller's Service select the agents", () => {
    const svc = find(defaults, "Service", FULL)["spec"] as { selector: Record<string, string> };
    const labels = (ds["spec"] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(Object.entries(svc.selector).every(([k, v]) => labels[k] === v)).toBe(false);
  });
});

describe("agent values", () => {
  it("agent.enabled=false renders no agent object, with or without the ServiceMonitor", () => {
    const off = byName("agent off");
    expect(agentObjects(off)).toEqual([]);
    expect(all(off, "DaemonSet")).toEqual([]);
    const monitored = render({ values: { agent: { enabled: false }, metrics: { serviceMonitor: { enabled: true } } }, apiVersions: ["monitoring.coreos.com/v1/ServiceMonitor"] });
    expect(agentObjects(monitored)).toEqual([]);
    expect(all(monitored, "ServiceMonitor").map((o) => o.metadata.name)).toEqual([FULL]);
  });

  it("agent.migLayout adds --mig-layout and the nodes patch rule; unset, neither", () => {
    const tier2 = byName("agent: dry run, Tier 2, no tenant files, kubelet elsewhere, no runtime class");
    expect(agentContainer(tier2).args).toContain("--mig-layout=all-balanced");
    expect(agentCommandLine(tier2).config().mitigation.migLayout).toBe("all-balanced");
    expect(rules(tier2)).toContainEqual({ apiGroups: [""], resources: ["nodes"], verbs: ["patch"] });
    for (const objects of [defaults, byName("agent: mitigation off")]) {
      expect(agentContainer(objects).args!.some((a) => a.startsWith("--mig-layout"))).toBe(false);
      const nodeVerbs = (rules(objects) as { resources: string[]; verbs: string[] }[]).filter((r) => r.resources.includes("nodes")).flatMap((r) => r.verbs);
      expect(nodeVerbs).toEqual(["get"]);
    }
  });

  it("agent.dryRun mounts the cgroup tree read-only; agent.mitigation=false keeps it writable (leftovers are restored at start)", () => {
    const dry = byName("agent: dry run, Tier 2, no tenant files, kubelet elsewhere, no runtime class");
    expect(agentContainer(dry).args).toContain("--dry-run");
    expect(agentContainer(dry).args).not.toContain("--no-mitigation");
    expect(mounts(dry).get("host-cgroup")!.readOnly).toBe(true);
    expect(agentCommandLine(dry).config()).toMatchObject({ dryRun: true, mitigation: { enabled: true } });

    const off = byName("agent: mitigation off");
    expect(agentContainer(off).args).toContain("--no-mitigation");
    expect(agentContainer(off).args).not.toContain("--dry-run");
    expect(mounts(off).get("host-cgroup")!.readOnly).toBe(false);
    expect(agentCommandLine(off).config()).toMatchObject({ dryRun: false, mitigation: { enabled: false } });

    // Dry run by default: installed, it only looks and logs until someone turns it on.
    expect(agentContainer(defaults).args!.filter((a) => a === "--dry-run" || a === "--no-mitigation")).toEqual(["--dry-run"]);
    expect(mounts(defaults).get("host-cgroup")!.readOnly).toBe(true);
    const enforcing = byName("agent: enforcing (dry run off)");
    expect(agentContainer(enforcing).args!.filter((a) => a === "--dry-run" || a === "--no-mitigation")).toEqual([]);
    expect(mounts(enforcing).get("host-cgroup")!.readOnly).toBe(false);
    expect(agentCommandLine(enforcing).config()).toMatchObject({ dryRun: false, mitigation: { enabled: true } });
  });

  it("moves the pod-resources mount with agent.kubeletRootDir, drops tenant files with \"\", leaves out empty class names", () => {
    const objects = byName("agent: dry run, Tier 2, no tenant files, kubelet elsewhere, no runtime class");
    const m = mounts(objects);
    expect(m.get("pod-resources")).toEqual({ mountPath: "/host/var/lib/k0s/kubelet/pod-resources", readOnly: true, hostPath: { path: "/var/lib/k0s/kubelet/pod-resources", type: "DirectoryOrCreate" } });
    expect(agentContainer(objects).args).toContain("--pod-resources-socket=/var/lib/k0s/kubelet/pod-resources/kubelet.sock");
    expect(m.has("tenant-metrics")).toBe(false);
    expect(agentCommandLine(objects).config().tenantMetricsDir).toBe("");
    const pod = podSpec(daemonSet(objects));
    expect(pod.runtimeClassName).toBeUndefined();
    expect(pod.priorityClassName).toBeUndefined();
    // The NVIDIA runtime may be the node's default: the variables it reads stay.
    expect(agentContainer(objects).env).toContainEqual({ name: "NVIDIA_VISIBLE_DEVICES", value: "all" });
    expect((daemonSet(objects)["spec"] as { updateStrategy: unknown }).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } });
    expect(agentContainer(objects).args!.at(-1)).toBe("--slo-threshold-ms=200");
    expect(agentCommandLine(objects).config().slo.tailThresholdMs).toBe(200);
  });

  it("asks for recursively read-only /sys and /proc from Kubernetes 1.31, and not before", () => {
    for (const name of ["host-sys", "host-proc"]) {
      expect(mounts(defaults).get(name)!.recursiveReadOnly).toBe("IfPossible");
      expect(mounts(render({ kubeVersion: "v1.31.0" })).get(name)!.recursiveReadOnly).toBe("IfPossible");
      expect(mounts(byName("Kubernetes 1.30 (no recursiveReadOnly)")).get(name)!.recursiveReadOnly).toBeUndefined();
      expect(mounts(byName("Kubernetes 1.30 (no recursiveReadOnly)")).get(name)!.readOnly).toBe(true);
    }
  });
});

describe("agent RBAC", () => {
  it("has exactly what `steward agent` calls: its node's pods, its Node, server-side apply of its NodeReport", () => {
    expect(rules(defaults)).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
      // An apply that finds no object creates it, which the API server authorizes as create.
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports"], verbs: ["create", "patch"] },
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports/status"], verbs: ["patch"] },
    ]);
  });

  it("adds nodes patch (the nvidia.com/mig.config label) only with Tier 2", () => {
    expect(rules(byName("agent: dry run, Tier 2, no tenant files, kubelet elsewhere, no runtime class"))).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
      { apiGroups: [""], resources: ["nodes"], verbs: ["patch"] },
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports"], verbs: ["create", "patch"] },
      { apiGroups: ["gpu-steward.io"], resources: ["nodereports/status"], verbs: ["patch"] },
    ]);
  });

  it("binds its ClusterRole to its own ServiceAccount only, and the controller's role to none of the agent's", () => {
    const binding = find(defaults, "ClusterRoleBinding", AGENT);
    expect(binding["roleRef"]).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: AGENT });
    expect(binding["subjects"]).toEqual([{ kind: "ServiceAccount", name: AGENT, namespace: NAMESPACE }]);
    for (const b of all(defaults, "ClusterRoleBinding").filter((x) => x.metadata.name !== AGENT)) {
      expect((b["subjects"] as { name: string }[]).map((s) => s.name)).not.toContain(AGENT);
    }
  });
});

describe("agent metrics", () => {
  const objects = byName("ServiceMonitor");

  it("scrapes every agent through a headless Service and a ServiceMonitor, labelled with the node", () => {
    const svc = find(objects, "Service", AGENT);
    const spec = svc["spec"] as { clusterIP: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] };
    expect(spec.clusterIP).toBe("None");
    expect(spec.selector).toEqual((daemonSet(objects)["spec"] as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels);
    expect(spec.ports).toEqual([{ name: "metrics", port: 8081, targetPort: "metrics", protocol: "TCP" }]);
    expect(agentContainer(objects).ports!.map((p) => p.name)).toContain("metrics");

    const sm = find(objects, "ServiceMonitor", AGENT)["spec"] as { namespaceSelector: unknown; selector: { matchLabels: Record<string, string> }; endpoints: Record<string, unknown>[] };
    expect(sm.namespaceSelector).toEqual({ matchNames: [NAMESPACE] });
    expect(Object.entries(sm.selector.matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v)).toBe(true);
    expect(sm.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s", relabelings: [{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }] }]);

    // The controller's ServiceMonitor does not pick up the agents' Service.
    const ctl = find(objects, "ServiceMonitor", FULL)["spec"] as { selector: { matchLabels: Record<string, string> } };
    expect(Object.entries(ctl.selector.matchLabels).every(([k, v]) => svc.metadata.labels?.[k] === v)).toBe(false);
  });

  it("renders no agent Service without the ServiceMonitor", () => {
    expect(all(defaults, "Service").map((s) => s.metadata.name)).toEqual([FULL]);
  });
});

describe("the agent command-line check itself", () => {
  it("catches a flag that `steward agent` does not have", () => {
    expect(() => agentCommandLine(render({ values: { agent: { extraArgs: ["--no-such-flag=1"] } } }))).toThrow(/no-such-flag/);
  });

  it("catches a value the agent's schema refuses", () => {
    const { config } = agentCommandLine(render({ values: { agent: { extraArgs: ["--cgroup-driver=lxc"] } } }));
    expect(() => config()).toThrow(/cgroupDriver/);
  });
});

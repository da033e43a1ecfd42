/**
 * values.schema.json: helm refuses bad values at install, upgrade, lint and template time, with a
 * message naming the key. Each case is written to a values file, as a user's -f would be.
 */
import { describe, expect, it } from "vitest";
import { render, template } from "./render.js";

const refused: { name: string; values: Record<string, unknown>; path: string; says: RegExp }[] = [
  { name: "a webhook timeout over 5 s", values: { webhook: { timeoutSeconds: 30 } }, path: "/webhook/timeoutSeconds", says: /maximum/ },
  { name: "a webhook timeout of 0", values: { webhook: { timeoutSeconds: 0 } }, path: "/webhook/timeoutSeconds", says: /minimum/ },
  { name: "negative replicas", values: { controller: { replicas: -1 } }, path: "/controller/replicas", says: /minimum/ },
  { name: "replicas as a word (wrong type)", values: { controller: { replicas: "two" } }, path: "/controller/replicas", says: /string.*integer|integer.*string/ },
  { name: "an unknown failurePolicy", values: { webhook: { failurePolicy: "Maybe" } }, path: "/webhook/failurePolicy", says: /Ignore.*Fail/ },
  { name: "an unknown certs mode", values: { certs: { mode: "letsencrypt" } }, path: "/certs/mode", says: /cert-manager.*self-signed/ },
  { name: "a misspelt top-level key", values: { controler: { replicas: 2 } }, path: "controler", says: /additional properties/ },
  { name: "a watch label without a value separator", values: { webhook: { watchLabel: "team" } }, path: "/webhook/watchLabel", says: /pattern|match/ },
  { name: "an extender weight of 0 (kube-scheduler refuses it with a prioritizeVerb)", values: { scheduler: { extender: { weight: 0 } } }, path: "/scheduler/extender/weight", says: /minimum/ },
  { name: "percentageOfNodesToScore over 100", values: { scheduler: { percentageOfNodesToScore: 150 } }, path: "/scheduler/percentageOfNodesToScore", says: /maximum/ },
  { name: "a malformed httpTimeout", values: { scheduler: { extender: { httpTimeout: "five seconds" } } }, path: "/scheduler/extender/httpTimeout", says: /pattern|match/ },
  { name: "an unknown state type", values: { controller: { state: { type: "hostPath" } } }, path: "/controller/state/type", says: /emptyDir/ },
  { name: "TLS files set in the controller config (the chart owns them)", values: { controller: { config: { server: { tlsCert: "/x" } } } }, path: "/controller/config/server/tlsCert", says: /not/ },
  { name: "an extra arg that is not a --flag", values: { controller: { extraArgs: ["policy=avoid-oom"] } }, path: "/controller/extraArgs/0", says: /pattern|match/ },
  { name: "an agent poll interval of 0", values: { agent: { pollIntervalSeconds: 0 } }, path: "/agent/pollIntervalSeconds", says: /minimum/ },
  { name: "an agent poll interval over an hour (the agent's own limit)", values: { agent: { pollIntervalSeconds: 7200 } }, path: "/agent/pollIntervalSeconds", says: /maximum/ },
  { name: "a MIG layout that is not a label value", values: { agent: { migLayout: "all balanced" } }, path: "/agent/migLayout", says: /pattern|match/ },
  { name: "agent.mitigation as a word (wrong type)", values: { agent: { mitigation: "disabled" } }, path: "/agent/mitigation", says: /boolean/ },
  { name: "a relative tenant metrics directory", values: { agent: { tenantMetricsDir: "var/run/tenant_metrics" } }, path: "/agent/tenantMetricsDir", says: /pattern|match/ },
  { name: "an agent maxUnavailable of 0%", values: { agent: { maxUnavailable: "0%" } }, path: "/agent/maxUnavailable", says: /pattern|match/ },
  { name: "an unknown agent key (hostNetwork is not offered)", values: { agent: { hostNetwork: true } }, path: "/agent", says: /additional properties/ },
  { name: "an autoscaler period of -1", values: { autoscaler: { periodSeconds: -1 } }, path: "/autoscaler/periodSeconds", says: /minimum/ },
  { name: "an optimizer profile the autoscaler does not have", values: { autoscaler: { profile: "v080" } }, path: "/autoscaler/profile", says: /v078.*legacy-v070/ },
  { name: "the autoscaler without static data", values: { autoscaler: { enabled: true } }, path: "/autoscaler/staticData", says: /missing property 'configMap'[\s\S]*missing property 'inline'/ },
  {
    name: "both static-data sources",
    values: { autoscaler: { enabled: true, staticData: { configMap: { name: "inferno-static-data" }, inline: { "accelerator-data.json": "{}", "model-data.json": "{}", "serviceclass-data.json": "{}", "optimizer-data.json": "{}" } } } },
    path: "/autoscaler/staticData",
    says: /maxProperties/,
  },
  { name: "inline static data without optimizer-data.json", values: { autoscaler: { enabled: true, staticData: { inline: { "accelerator-data.json": "{}", "model-data.json": "{}", "serviceclass-data.json": "{}" } } } }, path: "/autoscaler/staticData/inline", says: /optimizer-data\.json/ },
  { name: "a static-data ConfigMap without a name", values: { autoscaler: { enabled: true, staticData: { configMap: { namespace: "inferno" } } } }, path: "/autoscaler/staticData/configMap", says: /name/ },
  { name: "a static-data namespace that is not a DNS label", values: { autoscaler: { staticData: { configMap: { name: "d", namespace: "Inferno_NS" } } } }, path: "/autoscaler/staticData/configMap/namespace", says: /pattern|match/ },
  { name: "an unknown capacity source", values: { autoscaler: { capacityFrom: "prometheus" } }, path: "/autoscaler/capacityFrom", says: /nodes.*file/ },
  { name: "a Prometheus URL without a scheme", values: { autoscaler: { prometheus: { url: "prometheus:9090" } } }, path: "/autoscaler/prometheus/url", says: /pattern|match/ },
  { name: "a rate window that is not a PromQL duration", values: { autoscaler: { prometheus: { window: "1 minute" } } }, path: "/autoscaler/prometheus/window", says: /pattern|match/ },
  { name: "a scale-to-zero class with a comma (the flag is a comma list)", values: { autoscaler: { scaleToZeroClasses: ["Bronze,Free"] } }, path: "/autoscaler/scaleToZeroClasses/0", says: /pattern|match/ },
  { name: "a negative maxChange", values: { autoscaler: { maxChange: -1 } }, path: "/autoscaler/maxChange", says: /minimum/ },
  { name: "0 autoscaler replicas", values: { autoscaler: { replicas: 0 } }, path: "/autoscaler/replicas", says: /minimum/ },
  { name: "an emulator seed over 2^32 - 1", values: { autoscaler: { emulator: { seed: 4294967296 } } }, path: "/autoscaler/emulator/seed", says: /maximum/ },
  { name: "an unknown emulator mode", values: { autoscaler: { emulator: { mode: "sine" } } }, path: "/autoscaler/emulator/mode", says: /classic.*mean-reverting/ },
  { name: "an emulator interval of 0", values: { autoscaler: { emulator: { intervalSeconds: 0 } } }, path: "/autoscaler/emulator/intervalSeconds", says: /exclusiveMinimum|minimum/ },
];

describe("values.schema.json", () => {
  it.each(refused)("refuses $name, naming the key", ({ values, path, says }) => {
    const run = template({ values });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("values don't meet the specifications of the schema");
    expect(run.stderr).toContain(path);
    expect(run.stderr).toMatch(says);
  });

  it("accepts the defaults and the values documented in values.yaml's comments", () => {
    expect(() => render()).not.toThrow();
    const objects = render({
      values: {
        controller: { config: { webhook: { policy: "avoid-oom", maxGpus: 32, defaultGpuModel: "NVIDIA-A100-SXM4-80GB" } }, podAntiAffinity: "hard" },
        certs: { certManager: { issuerRef: { kind: "ClusterIssuer", name: "my-ca" } } },
        webhook: { failurePolicy: "Fail", timeoutSeconds: 3 },
        agent: { migLayout: "all-balanced", runtimeClassName: "", kubeletRootDir: "/var/lib/k0s/kubelet", tenantMetricsDir: "", extraArgs: ["--slo-threshold-ms=200", "--min-samples=20", "--cgroup-driver=systemd"], maxUnavailable: 1 },
        autoscaler: { enabled: true, staticData: { configMap: { name: "inferno-static-data", namespace: "inferno" } }, prometheus: { url: "http://prometheus-operated.monitoring.svc:9090", window: "90s" }, extraArgs: ["--bind-address=0.0.0.0"] },
      },
    });
    expect(objects.some((o) => o.kind === "Certificate")).toBe(true);
    expect(objects.some((o) => o.kind === "Deployment" && o.metadata.name.endsWith("-autoscaler"))).toBe(true);
  });

  it("stops a ServiceMonitor on a cluster without the monitoring.coreos.com/v1 API, saying how to proceed", () => {
    const run = template({ values: { metrics: { serviceMonitor: { enabled: true } } } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("monitoring.coreos.com/v1");
  });
});

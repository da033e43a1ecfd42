/**
 * The flags of `steward agent`, apart from the command so that parsing them (and `steward --help`)
 * loads nothing of the agent itself.
 */
import type { OptionSpec } from "../platform/config/options.js";

export const agentOptions: readonly OptionSpec[] = [
  { flag: "once", path: "once", kind: "boolean", help: "look once, print the full report and exit (writes nothing)", defaultText: "false" },
  { flag: "output", path: "output", kind: "string", help: "report format with --once: json", defaultText: "json" },
  { flag: "dry-run", path: "dryRun", kind: "boolean", help: "log each cgroup write and MIG request it would make, make none", defaultText: "false" },
  { flag: "nvidia-smi", path: "nvidiaSmi", kind: "string", help: "nvidia-smi binary", defaultText: "nvidia-smi" },
  { flag: "host-root", path: "hostRoot", kind: "string", help: "where the host's /sys, /proc, /dev and /var are mounted", defaultText: "/" },
  { flag: "cgroup-root", path: "cgroupRoot", kind: "string", help: "cgroup v2 hierarchy root", defaultText: "<host-root>/sys/fs/cgroup" },
  { flag: "cgroup-driver", path: "cgroupDriver", kind: "string", help: "kubelet cgroup driver: auto|systemd|cgroupfs", defaultText: "auto" },
  { flag: "state-dir", path: "stateDir", kind: "string", help: "where throttle originals are kept (SQLite); a hostPath so they outlive the pod", defaultText: "/var/lib/gpu-steward" },
  { flag: "node-name", path: "nodeName", kind: "string", help: "the Kubernetes node name (default: $NODE_NAME, else the hostname)" },
  { flag: "poll-interval", path: "pollIntervalSeconds", kind: "number", help: "seconds between polls", defaultText: "10" },
  { flag: "timeout-ms", path: "timeoutMs", kind: "integer", help: "limit per nvidia-smi call", defaultText: "10000" },
  { flag: "metrics-port", path: "metricsPort", kind: "integer", help: "port of /metrics, /healthz, /readyz", defaultText: "8081" },
  { flag: "bind-address", path: "bindAddress", kind: "string", help: "address to listen on", defaultText: "0.0.0.0" },
  { flag: "pod-resources-socket", path: "podResourcesSocket", kind: "string", help: "kubelet pod-resources socket, under --host-root; empty = off", defaultText: "/var/lib/kubelet/pod-resources/kubelet.sock" },
  { flag: "tenant-metrics-dir", path: "tenantMetricsDir", kind: "string", help: "directory of <PID>.metric latency files (the original daemon's protocol), under --host-root; empty = off", defaultText: "/var/run/tenant_metrics" },
  { flag: "min-samples", path: "scrape.minSamples", kind: "integer", help: "requests a window needs before its p99 is judged", defaultText: "5" },
  { flag: "scrape-timeout-ms", path: "scrape.timeoutMs", kind: "integer", help: "limit per pod /metrics read", defaultText: "2000" },
  { flag: "mitigation", path: "mitigation.enabled", kind: "boolean", help: "Tier 1: throttle opted-in noisy neighbours through cgroup v2 (false: judge and report only)", defaultText: "true" },
  { flag: "mig-layout", path: "mitigation.migLayout", kind: "string", help: "Tier 2: mig-parted layout to request through nvidia.com/mig.config when Tier 1 is not enough (absent: Tier 2 off)" },
  { flag: "mig-direct", path: "mitigation.migDirect", kind: "boolean", help: "Tier 2 on nodes without the GPU operator: apply --mig-layout with nvidia-smi, only on an idle GPU already in MIG mode", defaultText: "false" },
  { flag: "mig-parted-config", path: "mitigation.migPartedConfig", kind: "string", help: "mig-parted config file (YAML) holding --mig-layout, with --mig-direct" },
  { flag: "slo-threshold-ms", path: "slo.tailThresholdMs", kind: "number", help: "p99 SLO for tenants whose annotation gives none", defaultText: "100" },
  { flag: "persistence-windows", path: "slo.persistenceWindows", kind: "integer", help: "breaching polls in a row before a tenant is violated", defaultText: "3" },
  { flag: "cooldown-observations", path: "slo.cooldownObservations", kind: "integer", help: "polls a victim is left alone after an action", defaultText: "10" },
  { flag: "kubeconfig", path: "kube.kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster'; absent = in a pod its service account, else standalone (no pods, no report)" },
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
];

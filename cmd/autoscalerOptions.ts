/**
 * The flags of `steward autoscaler` and `steward autoscaler emulate`, apart from their commands so
 * that parsing them does not load the controller and the Kubernetes client.
 */
import { DEFAULT_INFERENCE_PROFILE, INFERENCE_PROFILES } from "../core/inference/index.js";
import type { OptionSpec } from "../platform/config/options.js";

export const autoscalerServeOptions: readonly OptionSpec[] = [
  { flag: "port", path: "port", kind: "integer", help: "HTTP port for /invoke, /metrics, /healthz", defaultText: "3300" },
  { flag: "bind-address", path: "bindAddress", kind: "string", help: "address to listen on", defaultText: "0.0.0.0" },
  { flag: "period", path: "periodSeconds", kind: "integer", help: "seconds between cycles; 0 = only on GET /invoke", defaultText: "60" },
  { flag: "dynamic", path: "dynamic", kind: "boolean", help: "re-read the static data files every cycle", defaultText: "false" },
  { flag: "data-path", path: "dataPath", kind: "string", help: "directory with accelerator-, model-, serviceclass-, optimizer- (and capacity-) data.json" },
  { flag: "data-configmap", path: "dataConfigMap", kind: "string", help: "namespace/name of a ConfigMap holding those documents as keys (instead of --data-path)" },
  { flag: "capacity-from", path: "capacityFrom", kind: "string", help: "nodes (GPU labels and allocatable) | file (capacity-data.json in --data-path, re-read each cycle)", defaultText: "nodes" },
  { flag: "prometheus-url", path: "prometheus.url", kind: "string", help: "Prometheus API root for vLLM load; absent = load labels only" },
  { flag: "prometheus-window", path: "prometheus.window", kind: "string", help: "rate() window of the vLLM queries", defaultText: "1m" },
  { flag: "prometheus-match", path: "prometheus.match", kind: "string", help: "how series map to Deployments: pod (namespace + pod name) | job (job = Deployment name, as inferno)", defaultText: "pod" },
  { flag: "prometheus-token-file", path: "prometheus.tokenFile", kind: "string", help: "file with a bearer token for Prometheus" },
  { flag: "load-from-nodereports", path: "loadFromNodeReports", kind: "boolean", help: "take load from the node agents' NodeReports first, then Prometheus, then the load labels", defaultText: "true" },
  { flag: "dry-run", path: "dryRun", kind: "boolean", help: "log the decisions, change nothing", defaultText: "false" },
  { flag: "max-change", path: "maxChange", kind: "integer", help: "largest replica change per Deployment per cycle; 0 = unbounded", defaultText: "0" },
  { flag: "scale-to-zero-classes", path: "scaleToZeroClasses", kind: "list", help: "service classes whose idle servers may go to 0 replicas (comma list)" },
  { flag: "accelerator-node-label", path: "acceleratorNodeLabel", kind: "string", help: "node label naming the accelerator type (capacity and nodeSelector)", defaultText: "gpu-steward.io/accelerator-type" },
  { flag: "profile", path: "profile", kind: "string", help: `optimizer generation: ${INFERENCE_PROFILES.join(" | ")}`, defaultText: DEFAULT_INFERENCE_PROFILE },
  { flag: "kubeconfig", path: "kube.kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster'; absent = in a pod its service account, else standalone (empty cluster)" },
  { flag: "identity", path: "kube.identity", kind: "string", help: "leader-election identity (default: hostname)" },
  { flag: "lease-namespace", path: "kube.leaseNamespace", kind: "string", help: "namespace of the Lease gpu-steward-autoscaler", defaultText: "gpu-steward" },
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
];

export const emulateOptions: readonly OptionSpec[] = [
  { flag: "interval", path: "intervalSeconds", kind: "number", help: "seconds between steps", defaultText: "60" },
  { flag: "mode", path: "mode", kind: "string", help: "classic (random walk, the original loademulator) | mean-reverting", defaultText: "classic" },
  { flag: "alpha", path: "alpha", kind: "number", help: "noise: classic σ = alpha × first value; mean-reverting noise = alpha × nominal (0..1)", defaultText: "0.5 classic, 0.1 mean-reverting" },
  { flag: "theta", path: "theta", kind: "number", help: "mean-reverting pull towards the nominal per step (0..1)", defaultText: "0.2" },
  { flag: "seed", path: "seed", kind: "integer", help: "seed of the walk (logged when not given)" },
  { flag: "steps", path: "steps", kind: "integer", help: "stop after this many steps; 0 = until SIGTERM", defaultText: "0" },
  { flag: "kubeconfig", path: "kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster' (default: the pod's service account)" },
  { flag: "log-level", path: "log.level", kind: "string", help: "fatal|error|warn|info|debug|trace|silent", defaultText: "info" },
];

/** Where the cluster connection comes from, and the real adapters built on it. */
import { existsSync } from "node:fs";
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "../log.js";
import type { Clock } from "../clock.js";
import { KubeConfigMaps } from "./configMaps.js";
import { KubeCustomObjects } from "./customObjects.js";
import { KubeDeployments } from "./deployments.js";
import { KubeConfigError } from "./errors.js";
import { coreV1EventSink, KubeEventRecorder } from "./events.js";
import { KubeLeases } from "./leases.js";
import { KubeNodeReports } from "./nodeReports.js";
import type { EventRecorderOptions, KubeIdentity, KubePorts } from "./ports.js";
import { KubeSecrets } from "./secrets.js";
import { kubeClusterWatches } from "./watches.js";

/** The `kubeconfig` value that asks for the pod's service account explicitly. */
export const IN_CLUSTER = "in-cluster";
const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface LoadKubeConfigOptions {
  /** Prefix for the service-account files (tests point it at a temp dir); "" in a pod. */
  serviceAccountPrefix?: string;
}

/** A pod sees the API server's address in its environment and its token mounted; both are needed. */
export function runningInCluster(opts: LoadKubeConfigOptions = {}): boolean {
  const prefix = opts.serviceAccountPrefix ?? "";
  return Boolean(process.env["KUBERNETES_SERVICE_HOST"]) && Boolean(process.env["KUBERNETES_SERVICE_PORT"]) && existsSync(`${prefix}${SERVICE_ACCOUNT_TOKEN}`);
}

/**
 * - a file path: that kubeconfig (its current context);
 * - `"in-cluster"`: the pod's service account (fails when not in a pod);
 * - absent: the service account when running in a pod, otherwise `undefined`, meaning standalone mode
 *   (no cluster: the controller answers from what requests carry).
 * Throws KubeConfigError naming the source when it cannot be loaded.
 */
export function loadKubeConfig(path?: string, opts: LoadKubeConfigOptions = {}): KubeConfig | undefined {
  const kc = new KubeConfig();
  const wantCluster = path === IN_CLUSTER || ((path === undefined || path === "") && runningInCluster(opts));
  if (wantCluster) {
    if (!runningInCluster(opts)) {
      throw new KubeConfigError(`kubeconfig "${IN_CLUSTER}": KUBERNETES_SERVICE_HOST/PORT or the service-account token is missing`);
    }
    kc.loadFromCluster(opts.serviceAccountPrefix ?? "");
  } else if (path === undefined || path === "") {
    return undefined;
  } else {
    if (!existsSync(path)) throw new KubeConfigError(`kubeconfig ${path}: file not found`);
    try {
      kc.loadFromFile(path);
    } catch (err) {
      throw new KubeConfigError(`kubeconfig ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeConfigError(`kubeconfig ${path ?? IN_CLUSTER}: no cluster for current context "${kc.getCurrentContext()}"`);
  }
  return kc;
}

export interface KubeAdapterOptions {
  events?: EventRecorderOptions;
}

/** The client-node adapters for every port, sharing one KubeConfig. */
export function kubeAdapters(kc: KubeConfig, log: Logger, clock: Clock, identity: KubeIdentity, opts: KubeAdapterOptions = {}): KubePorts {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    events: new KubeEventRecorder(coreV1EventSink(core), log.child({ component: "kube-events" }), clock, identity.podName, opts.events),
    customObjects: new KubeCustomObjects(custom),
    configMaps: new KubeConfigMaps(core),
    secrets: new KubeSecrets(core),
    leases: new KubeLeases(kc.makeApiClient(CoordinationV1Api)),
    watches: kubeClusterWatches(kc),
    deployments: new KubeDeployments(kc.makeApiClient(AppsV1Api)),
    nodeReports: new KubeNodeReports(custom),
  };
}

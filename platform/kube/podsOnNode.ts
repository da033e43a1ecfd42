/**
 * The pods bound to one node, as the node agent follows them: a list and watch of `/api/v1/pods` with
 * the field selector `spec.nodeName=<node>` (what the kubelet itself watches), so each agent holds
 * only its node's pods and the API server serves the selection from its watch cache.
 */
import { CoreV1Api, Watch, type KubeConfig } from "@kubernetes/client-node";
import type { MemoryObjectStore } from "./memoryStore.js";
import { MemoryObjectWatch, PODS } from "./memoryWatch.js";
import type { ObjectWatch } from "./ports.js";
import { KubeObjectWatch } from "./watches.js";

export function podsOnNodeSelector(nodeName: string): string {
  return `spec.nodeName=${nodeName}`;
}

export function kubePodsOnNode(kc: KubeConfig, nodeName: string): ObjectWatch {
  const core = kc.makeApiClient(CoreV1Api);
  const fieldSelector = podsOnNodeSelector(nodeName);
  return new KubeObjectWatch(
    "pods",
    "/api/v1/pods",
    (limit, c) => core.listPodForAllNamespaces({ limit, fieldSelector, ...(c === undefined ? {} : { _continue: c }) }),
    new Watch(kc),
    fieldSelector,
  );
}

export function memoryPodsOnNode(store: MemoryObjectStore, nodeName: string): ObjectWatch {
  return new MemoryObjectWatch(store, PODS, podsOnNodeSelector(nodeName));
}

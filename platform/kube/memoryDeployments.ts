/**
 * In-memory Deployments over the MemoryObjectStore, for tests and standalone runs. Beyond the store's
 * own gaps (memoryStore.ts) it does not simulate: the Deployment controller (no ReplicaSets, pods or
 * `status` follow a scale), defaulting, or validation of labels and selectors; `creationTimestamp`
 * comes back as a Date as client-node's would, other dates stay strings.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import { deploymentChangeBody, scaleBody } from "./deployments.js";
import { InvalidError } from "./errors.js";
import type { MemoryObjectStore, WireObject } from "./memoryStore.js";
import type { DeploymentChange, Deployments, GroupVersionResource, ListOptions } from "./ports.js";

export const DEPLOYMENTS: GroupVersionResource = { group: "apps", version: "v1", plural: "deployments" };

function typed(obj: WireObject): V1Deployment {
  const deployment = obj as V1Deployment;
  const created = deployment.metadata?.creationTimestamp as unknown;
  if (typeof created === "string" && deployment.metadata) deployment.metadata.creationTimestamp = new Date(created);
  return deployment;
}

/** What the API server's validation says about `spec.replicas` on the scale subresource. */
export function checkReplicas(name: string, replicas: unknown): void {
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw new InvalidError(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
}

export class MemoryDeployments implements Deployments {
  constructor(private readonly store: MemoryObjectStore) {}

  async list(opts: ListOptions): Promise<V1Deployment[]> {
    return this.store.list(DEPLOYMENTS, opts).map(typed);
  }

  async get(namespace: string, name: string): Promise<V1Deployment | undefined> {
    const found = this.store.get(DEPLOYMENTS, namespace, name);
    return found === undefined ? undefined : typed(found);
  }

  async scale(namespace: string, name: string, replicas: number): Promise<number> {
    checkReplicas(name, replicas);
    const patched = typed(this.store.mergePatch(DEPLOYMENTS, namespace, name, scaleBody(replicas)));
    return patched.spec?.replicas ?? 0;
  }

  async change(namespace: string, name: string, change: DeploymentChange): Promise<V1Deployment> {
    return typed(this.store.mergePatch(DEPLOYMENTS, namespace, name, deploymentChangeBody(change)));
  }
}

/** apps/v1 Deployments over client-node: list, get, the scale subresource and merge patches. */
import { PatchStrategy, setHeaderOptions, type AppsV1Api, type V1Deployment } from "@kubernetes/client-node";
import { isNotFound, toKubeError } from "./errors.js";
import type { DeploymentChange, Deployments, ListOptions } from "./ports.js";

/** The merge-patch body of a DeploymentChange: only the parts it names, so nothing else is touched. */
export function deploymentChangeBody(change: DeploymentChange): Record<string, unknown> {
  return {
    ...(change.labels !== undefined && { metadata: { labels: change.labels } }),
    ...(change.nodeSelector !== undefined && { spec: { template: { spec: { nodeSelector: change.nodeSelector } } } }),
  };
}

/** The merge-patch body of a scale change. */
export function scaleBody(replicas: number): { spec: { replicas: number } } {
  return { spec: { replicas } };
}

export class KubeDeployments implements Deployments {
  constructor(private readonly apps: AppsV1Api) {}

  async list(opts: ListOptions): Promise<V1Deployment[]> {
    const what = `LIST deployments.apps ${opts.namespace ?? "*"}`;
    const labelSelector = opts.labelSelector === "" ? undefined : opts.labelSelector;
    try {
      const list =
        opts.namespace === undefined
          ? await this.apps.listDeploymentForAllNamespaces({ labelSelector })
          : await this.apps.listNamespacedDeployment({ namespace: opts.namespace, labelSelector });
      return list.items;
    } catch (raw) {
      throw toKubeError(raw, what);
    }
  }

  async get(namespace: string, name: string): Promise<V1Deployment | undefined> {
    try {
      return await this.apps.readNamespacedDeployment({ namespace, name });
    } catch (raw) {
      const err = toKubeError(raw, `GET deployments.apps ${namespace}/${name}`);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async scale(namespace: string, name: string, replicas: number): Promise<number> {
    try {
      // The generated client would send a JSON patch content type; the body is a merge patch.
      const scale = await this.apps.patchNamespacedDeploymentScale(
        { namespace, name, body: scaleBody(replicas) },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      return scale.spec?.replicas ?? 0;
    } catch (raw) {
      throw toKubeError(raw, `PATCH deployments.apps/scale ${namespace}/${name}`);
    }
  }

  async change(namespace: string, name: string, change: DeploymentChange): Promise<V1Deployment> {
    try {
      return await this.apps.patchNamespacedDeployment(
        { namespace, name, body: deploymentChangeBody(change) },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (raw) {
      throw toKubeError(raw, `PATCH deployments.apps ${namespace}/${name}`);
    }
  }
}

/** ConfigMaps over client-node: read (job configs, the shared-state snapshot) and create-or-replace (the leader's snapshot). */
import type { CoreV1Api, V1ConfigMap } from "@kubernetes/client-node";
import { createOrReplace } from "./createOrReplace.js";
import { isNotFound, toKubeError } from "./errors.js";
import type { ConfigMaps } from "./ports.js";

export function configMapBody(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}, resourceVersion?: string): V1ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(Object.keys(labels).length > 0 && { labels: { ...labels } }), ...(resourceVersion !== undefined && { resourceVersion }) },
    data: { ...data },
  };
}

export class KubeConfigMaps implements ConfigMaps {
  constructor(private readonly core: CoreV1Api) {}

  async get(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const cm = await this.core.readNamespacedConfigMap({ namespace, name });
      return { ...(cm.data ?? {}) };
    } catch (raw) {
      const err = toKubeError(raw, `GET configmaps ${namespace}/${name}`);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async apply(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}): Promise<void> {
    await createOrReplace({
      what: `configmaps ${namespace}/${name}`,
      create: () => this.core.createNamespacedConfigMap({ namespace, body: configMapBody(namespace, name, data, labels) }),
      read: () => this.core.readNamespacedConfigMap({ namespace, name }),
      replace: (current) => this.core.replaceNamespacedConfigMap({ namespace, name, body: configMapBody(namespace, name, data, labels, current.metadata?.resourceVersion) }),
    });
  }
}

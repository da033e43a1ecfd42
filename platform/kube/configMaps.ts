/** ConfigMaps over client-node (read-only: the learned-model snapshot followers load). */
import type { CoreV1Api } from "@kubernetes/client-node";
import { isNotFound, toKubeError } from "./errors.js";
import type { ConfigMaps } from "./ports.js";

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
}

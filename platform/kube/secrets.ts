/** Secrets over client-node: create, or replace on AlreadyExists (certificates written by `steward certs`). */
import type { CoreV1Api, V1Secret } from "@kubernetes/client-node";
import { isConflict, toKubeError } from "./errors.js";
import type { Secrets } from "./ports.js";

/**
 * Replace races another writer (a second replica rotating the same certificate): each retry re-reads the
 * resourceVersion. Three tries is enough for two writers; more would hide a writer that never stops.
 */
export const SECRET_APPLY_ATTEMPTS = 3;

export function secretBody(namespace: string, name: string, type: string, data: Record<string, string>, resourceVersion?: string): V1Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    type,
    data: { ...data },
  };
}

export class KubeSecrets implements Secrets {
  constructor(private readonly core: CoreV1Api) {}

  async apply(namespace: string, name: string, type: string, data: Record<string, string>): Promise<void> {
    try {
      await this.core.createNamespacedSecret({ namespace, body: secretBody(namespace, name, type, data) });
      return;
    } catch (raw) {
      const err = toKubeError(raw, `POST secrets ${namespace}/${name}`);
      if (!isConflict(err)) throw err;
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        const current = await this.read(namespace, name);
        const body = secretBody(namespace, name, type, data, current.metadata?.resourceVersion);
        await this.core.replaceNamespacedSecret({ namespace, name, body });
        return;
      } catch (raw) {
        const err = toKubeError(raw, `PUT secrets ${namespace}/${name}`);
        if (!isConflict(err) || attempt >= SECRET_APPLY_ATTEMPTS) throw err;
      }
    }
  }

  private async read(namespace: string, name: string): Promise<V1Secret> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (raw) {
      // A Secret deleted between our create and this read surfaces as NotFoundError: the caller retries apply.
      throw toKubeError(raw, `GET secrets ${namespace}/${name}`);
    }
  }
}

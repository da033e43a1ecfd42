/** Secrets over client-node: create, or replace on AlreadyExists (certificates written by `steward certs`). */
import type { CoreV1Api, V1Secret } from "@kubernetes/client-node";
import { APPLY_ATTEMPTS, createOrReplace } from "./createOrReplace.js";
import { toKubeError } from "./errors.js";
import type { Secrets } from "./ports.js";

/** Replace races another writer (a second replica rotating the same certificate): see createOrReplace. */
export const SECRET_APPLY_ATTEMPTS = APPLY_ATTEMPTS;

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
    await createOrReplace({
      what: `secrets ${namespace}/${name}`,
      create: () => this.core.createNamespacedSecret({ namespace, body: secretBody(namespace, name, type, data) }),
      read: () => this.read(namespace, name),
      replace: (current) => this.core.replaceNamespacedSecret({ namespace, name, body: secretBody(namespace, name, type, data, current.metadata?.resourceVersion) }),
    });
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

/**
 * Nodes as the node agent needs them: its Node's UID (the NodeReport's ownerReference) and labels,
 * and a label change (Tier 2 asks the GPU operator for a MIG layout through `nvidia.com/mig.config`).
 * Label changes are merge patches: they touch only the keys named, never the kubelet's status.
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api } from "@kubernetes/client-node";
import { isNotFound, toKubeError } from "./errors.js";
import type { MemoryObjectStore } from "./memoryStore.js";
import { NODES } from "./memoryWatch.js";

export interface NodeFacts {
  uid: string;
  labels: Record<string, string>;
}

export interface Nodes {
  /** `undefined` when there is no Node of that name. */
  get(name: string): Promise<NodeFacts | undefined>;
  /** Sets (or, with null, removes) the named labels. */
  patchLabels(name: string, labels: Record<string, string | null>): Promise<void>;
}

function factsOf(obj: { metadata?: { uid?: string; labels?: Record<string, string> } } | undefined): NodeFacts | undefined {
  const uid = obj?.metadata?.uid;
  return uid === undefined ? undefined : { uid, labels: { ...(obj?.metadata?.labels ?? {}) } };
}

export class KubeNodes implements Nodes {
  constructor(private readonly core: CoreV1Api) {}

  async get(name: string): Promise<NodeFacts | undefined> {
    try {
      return factsOf(await this.core.readNode({ name }));
    } catch (raw) {
      const err = toKubeError(raw, `GET nodes ${name}`);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async patchLabels(name: string, labels: Record<string, string | null>): Promise<void> {
    try {
      // The generated client would send a JSON patch content type; the body is a merge patch.
      await this.core.patchNode({ name, body: { metadata: { labels } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    } catch (raw) {
      throw toKubeError(raw, `PATCH nodes ${name}`);
    }
  }
}

export class MemoryNodes implements Nodes {
  constructor(private readonly store: MemoryObjectStore) {}

  async get(name: string): Promise<NodeFacts | undefined> {
    return factsOf(this.store.get(NODES, "", name) as { metadata?: { uid?: string; labels?: Record<string, string> } } | undefined);
  }

  async patchLabels(name: string, labels: Record<string, string | null>): Promise<void> {
    this.store.mergePatch(NODES, "", name, { metadata: { labels } });
  }
}

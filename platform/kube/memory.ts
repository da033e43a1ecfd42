/**
 * In-memory adapters for every Kubernetes port, over one MemoryObjectStore: for tests and for standalone
 * mode (no cluster). They pass the same contract suite as the client-node adapters
 * (test/platform/kube/contract.ts); the Event recorder is the real one with the store as its sink.
 *
 * What they do NOT simulate (beyond the store's own list in memoryStore.ts): network latency, timeouts
 * and dropped connections (inject API errors with `store.failNext`), authentication and RBAC, admission
 * webhooks and quota, CRD schema validation (any JSON is accepted as a PyTorchJob; NodeReports are checked
 * by the writer both adapters share, nodeReports.ts, not by the store), Event aggregation and
 * series (every record() stores a new Event), Secret type validation, concurrent writers racing a
 * Secret replace, and Lease expiry (a Lease is just an object; expiry is the LeaderElector's reading).
 */
import type { V1Lease } from "@kubernetes/client-node";
import type { Operation } from "fast-json-patch";
import type { Logger } from "../log.js";
import type { Clock } from "../clock.js";
import { isConflict, KubeApiError } from "./errors.js";
import { KubeEventRecorder, type EventSink } from "./events.js";
import { leaseBody, leaseKey, withMicroTimes } from "./leaseWire.js";
import { MemoryObjectStore, type WireObject } from "./memoryStore.js";
import { MemoryDeployments } from "./memoryDeployments.js";
import { memoryClusterWatches } from "./memoryWatch.js";
import { NODE_REPORT_FIELD_MANAGER, NODE_REPORTS, NodeReportWriter } from "./nodeReports.js";
import type {
  ConfigMaps,
  CustomObject,
  CustomObjects,
  EventRecorderOptions,
  GroupVersionResource,
  KubeIdentity,
  KubePorts,
  Leases,
  ListOptions,
  NodeReportBody,
  NodeReports,
  Secrets,
} from "./ports.js";
import { secretBody } from "./secrets.js";
import { configMapBody } from "./configMaps.js";

export const EVENTS: GroupVersionResource = { group: "", version: "v1", plural: "events" };
export const CONFIG_MAPS: GroupVersionResource = { group: "", version: "v1", plural: "configmaps" };
export const SECRETS: GroupVersionResource = { group: "", version: "v1", plural: "secrets" };
export const LEASES: GroupVersionResource = { group: "coordination.k8s.io", version: "v1", plural: "leases" };

/** Typed client-node models to the store's wire JSON (the store's JSON round trip serialises dates). */
function toWire(obj: object): WireObject {
  return obj as WireObject;
}

export function memoryEventSink(store: MemoryObjectStore): EventSink {
  return async (namespace, event) => store.create(EVENTS, namespace, toWire(event));
}

export class MemoryCustomObjects implements CustomObjects {
  constructor(private readonly store: MemoryObjectStore) {}

  async list(gvr: GroupVersionResource, opts: ListOptions): Promise<CustomObject[]> {
    return this.store.list(gvr, opts);
  }

  async get(gvr: GroupVersionResource, namespace: string, name: string): Promise<CustomObject | undefined> {
    return this.store.get(gvr, namespace, name);
  }

  async jsonPatch(gvr: GroupVersionResource, namespace: string, name: string, ops: Operation[]): Promise<CustomObject> {
    return this.store.jsonPatch(gvr, namespace, name, ops);
  }
}

export class MemoryConfigMaps implements ConfigMaps {
  constructor(private readonly store: MemoryObjectStore) {}

  async get(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const cm = this.store.get(CONFIG_MAPS, namespace, name);
    if (cm === undefined) return undefined;
    const data = cm["data"];
    return typeof data === "object" && data !== null ? { ...(data as Record<string, string>) } : {};
  }

  async apply(namespace: string, name: string, data: Record<string, string>, labels: Record<string, string> = {}): Promise<void> {
    try {
      this.store.create(CONFIG_MAPS, namespace, toWire(configMapBody(namespace, name, data, labels)));
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    const current = this.store.get(CONFIG_MAPS, namespace, name);
    const metadata = current?.["metadata"] as { resourceVersion?: string } | undefined;
    this.store.replace(CONFIG_MAPS, namespace, name, toWire(configMapBody(namespace, name, data, labels, metadata?.resourceVersion)));
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class MemorySecrets implements Secrets {
  constructor(private readonly store: MemoryObjectStore) {}

  async apply(namespace: string, name: string, type: string, data: Record<string, string>): Promise<void> {
    // The server decodes `data` into bytes and answers 400 on bad base64; tests should find that, not production.
    for (const [key, value] of Object.entries(data)) {
      if (value.length % 4 !== 0 || !BASE64.test(value)) {
        throw new KubeApiError(400, "BadRequest", `Secret "${name}" is invalid: data[${key}]: illegal base64 data`);
      }
    }
    try {
      this.store.create(SECRETS, namespace, toWire(secretBody(namespace, name, type, data)));
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    const current = this.store.get(SECRETS, namespace, name);
    const metadata = current?.["metadata"] as { resourceVersion?: string } | undefined;
    this.store.replace(SECRETS, namespace, name, toWire(secretBody(namespace, name, type, data, metadata?.resourceVersion)));
  }
}

export class MemoryLeases implements Leases {
  constructor(private readonly store: MemoryObjectStore) {}

  async get(namespace: string, name: string): Promise<V1Lease | undefined> {
    const obj = this.store.get(LEASES, namespace, name);
    return obj === undefined ? undefined : withMicroTimes(obj as V1Lease);
  }

  async create(lease: V1Lease): Promise<V1Lease> {
    const { namespace } = leaseKey(lease);
    return withMicroTimes(this.store.create(LEASES, namespace, toWire(leaseBody(lease))) as V1Lease);
  }

  async replace(lease: V1Lease): Promise<V1Lease> {
    const { namespace, name } = leaseKey(lease);
    return withMicroTimes(this.store.replace(LEASES, namespace, name, toWire(leaseBody(lease))) as V1Lease);
  }
}

/** NodeReports over the store: the shared writer (nodeReports.ts) with the store's server-side apply. */
export class MemoryNodeReports implements NodeReports {
  readonly #writer: NodeReportWriter;

  constructor(private readonly store: MemoryObjectStore) {
    const opts = { fieldManager: NODE_REPORT_FIELD_MANAGER, statusSubresource: true };
    this.#writer = new NodeReportWriter({
      applyObject: async (name, body) => store.apply(NODE_REPORTS, "", name, body, opts).object,
      applyStatus: async (name, body, fieldManager) => store.apply(NODE_REPORTS, "", name, body, { ...opts, fieldManager, subresource: "status" }).object,
    });
  }

  apply(nodeName: string, nodeUid: string, body: NodeReportBody): Promise<CustomObject> {
    return this.#writer.apply(nodeName, nodeUid, body);
  }

  async get(nodeName: string): Promise<CustomObject | undefined> {
    return this.store.get(NODE_REPORTS, "", nodeName);
  }

  async list(): Promise<CustomObject[]> {
    return this.store.list(NODE_REPORTS, {});
  }
}

export interface MemoryKubePorts extends KubePorts {
  /** The objects behind the ports: seed them and read them back in tests. */
  store: MemoryObjectStore;
  events: KubeEventRecorder;
}

/** In-memory counterpart of `kubeAdapters` (client.ts); pass a store to share it with a fake API server. */
export function memoryAdapters(
  log: Logger,
  clock: Clock,
  identity: KubeIdentity,
  opts: { events?: EventRecorderOptions; store?: MemoryObjectStore } = {},
): MemoryKubePorts {
  const store = opts.store ?? new MemoryObjectStore(clock);
  return {
    store,
    events: new KubeEventRecorder(memoryEventSink(store), log.child({ component: "kube-events" }), clock, identity.podName, opts.events),
    customObjects: new MemoryCustomObjects(store),
    configMaps: new MemoryConfigMaps(store),
    secrets: new MemorySecrets(store),
    leases: new MemoryLeases(store),
    watches: memoryClusterWatches(store),
    deployments: new MemoryDeployments(store),
    nodeReports: new MemoryNodeReports(store),
  };
}

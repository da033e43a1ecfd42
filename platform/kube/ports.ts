/**
 * Kubernetes ports: the few calls gpu-steward makes against the API server, each narrow enough that
 * the client-node adapter and the in-memory adapter (memory.ts) can both pass one contract suite
 * (test/platform/kube/contract.ts).
 *
 * Errors: adapters throw the typed errors of errors.ts (NotFoundError, ConflictError, InvalidError,
 * KubeApiError), never client-node's ApiException, so callers do not depend on the client library.
 */
import type { V1Deployment, V1Lease } from "@kubernetes/client-node";
import type { Operation } from "fast-json-patch";
import type { NodeReportSpec, NodeReportStatus } from "../../core/nodeReport/index.js";

/** The object an Event is about (becomes the Event's `involvedObject`). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  /** "" for cluster-scoped objects; their Events go to the `default` namespace, as client-go does. */
  namespace: string;
  name: string;
  uid?: string;
}

export type EventType = "Normal" | "Warning";

export interface EventRecord {
  regarding: ObjectRef;
  type: EventType;
  /** Short CamelCase cause, e.g. `RightsizingApplied`; the API server caps it at 128 characters. */
  reason: string;
  /** Human text; truncated to the API server's 1024-byte limit. */
  message: string;
  /** What was done, e.g. `Mutate`; defaults to `reason` because the API server requires one when eventTime is set. */
  action?: string;
}

/** Fire-and-forget Events: `record` resolves even when the API call fails (the adapter logs and counts). */
export interface EventRecorder {
  record(e: EventRecord): Promise<void>;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  plural: string;
}

/** A custom object as the API server returns it (PyTorchJob, AppWrapper): untyped JSON, parsed by callers with zod. */
export type CustomObject = Record<string, unknown>;

export interface ListOptions {
  /** Absent: all namespaces. */
  namespace?: string;
  /** Kubernetes label selector syntax (`a=b,c!=d,e in (f,g),!h`). */
  labelSelector?: string;
}

export interface CustomObjects {
  list(gvr: GroupVersionResource, opts: ListOptions): Promise<CustomObject[]>;
  /** `undefined` when the object does not exist. */
  get(gvr: GroupVersionResource, namespace: string, name: string): Promise<CustomObject | undefined>;
  /**
   * RFC 6902 patch (`application/json-patch+json`); returns the patched object. A failing `test` op or a
   * path that does not resolve throws InvalidError (422) and changes nothing; a missing object throws NotFoundError.
   */
  jsonPatch(gvr: GroupVersionResource, namespace: string, name: string, ops: Operation[]): Promise<CustomObject>;
}

export interface ConfigMaps {
  /** The ConfigMap's `data` ({} when it has none); `undefined` when the ConfigMap does not exist. */
  get(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Create, or replace the data (and labels) of the existing ConfigMap. */
  apply(namespace: string, name: string, data: Record<string, string>, labels?: Record<string, string>): Promise<void>;
}

export interface Secrets {
  /** Create, or replace the existing Secret's type and data. `data` values are already base64. */
  apply(namespace: string, name: string, type: string, data: Record<string, string>): Promise<void>;
}

/**
 * coordination.k8s.io/v1 Leases for leader election. Times (`acquireTime`, `renewTime`) come back as
 * V1MicroTime instances whatever the transport delivered, so `.getTime()` is always safe.
 */
export interface Leases {
  get(namespace: string, name: string): Promise<V1Lease | undefined>;
  /** Throws ConflictError (reason AlreadyExists) when the Lease exists. */
  create(lease: V1Lease): Promise<V1Lease>;
  /** `lease.metadata.resourceVersion` must be the one read; a stale one throws ConflictError. */
  replace(lease: V1Lease): Promise<V1Lease>;
}

/** A whole list (all pages joined): the items as the adapter decoded them, unvalidated, and the version to watch from. */
export interface ObjectList {
  items: unknown[];
  /** The list's `metadata.resourceVersion`: a watch from it misses no change made after the list. */
  resourceVersion: string;
}

export interface WatchOptions {
  /** Where to resume; never "" (a watch from "now" would lose what changed since the list). */
  resourceVersion: string;
  /** Asks the server to end the stream after this long; informers reconnect then, from the last version. */
  timeoutSeconds?: number;
}

/**
 * One watch event, unvalidated: `type` is ADDED, MODIFIED, DELETED or BOOKMARK on a well-behaved
 * server, `object` the object (a BOOKMARK carries only `metadata.resourceVersion`). ERROR events never
 * reach the handler: the adapter ends the watch with the typed error they carry.
 */
export interface WatchEvent {
  type: string;
  object: unknown;
}

/**
 * list + watch of one resource across all namespaces, the two calls an informer makes. Bookmarks are
 * always asked for (`allowWatchBookmarks`), so a quiet resource still advances the resume point.
 */
export interface ObjectWatch {
  /** Resource name for logs and metrics, e.g. `nodes`. */
  readonly resource: string;
  /** Every object, following `continue` tokens; GoneError when a token expired between pages. */
  list(): Promise<ObjectList>;
  /**
   * Streams events to `onEvent` in order. Resolves when the stream ends cleanly (server timeout, closed
   * connection) or `signal` aborts; rejects with GoneError (410, as an HTTP status or as an ERROR event)
   * when `resourceVersion` is too old, with another KubeApiError for any other failure.
   */
  watch(opts: WatchOptions, onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
}

/** The resources the cluster view follows: core/v1 nodes and pods, and the agents' NodeReports. */
export interface ClusterWatches {
  nodes: ObjectWatch;
  pods: ObjectWatch;
  /** gpu-steward.io/v1alpha1 nodereports (cluster-scoped). */
  nodeReports: ObjectWatch;
}

/**
 * What the inference autoscaler changes on a Deployment besides its scale: labels, and the pod
 * template's nodeSelector (the accelerator it runs on). Sent as an RFC 7386 merge patch, so a key
 * absent from the object is created (no JSON-Patch `replace` on a missing label failing) and a
 * `null` value removes the key.
 */
export interface DeploymentChange {
  labels?: Record<string, string | null>;
  nodeSelector?: Record<string, string | null>;
}

/** apps/v1 Deployments: what the autoscaler reads and the two writes it makes. */
export interface Deployments {
  list(opts: ListOptions): Promise<V1Deployment[]>;
  /** `undefined` when the Deployment does not exist. */
  get(namespace: string, name: string): Promise<V1Deployment | undefined>;
  /**
   * `PATCH …/deployments/{name}/scale`, merge patch `{"spec":{"replicas":n}}`: the scale subresource,
   * so only the replica count changes, whatever else the Deployment holds. Returns the stored count.
   * A negative or fractional count throws InvalidError (422); a missing Deployment NotFoundError.
   */
  scale(namespace: string, name: string, replicas: number): Promise<number>;
  /** `PATCH …/deployments/{name}` as `application/merge-patch+json`; returns the patched Deployment. */
  change(namespace: string, name: string, change: DeploymentChange): Promise<V1Deployment>;
}

/** What the agent applies: the object's spec (absent: `{ nodeName }`) and its whole status. */
export interface NodeReportBody {
  spec?: NodeReportSpec;
  status: NodeReportStatus;
}

/**
 * gpu-steward.io/v1alpha1 NodeReports: cluster-scoped, one per node, named after it. The agent writes
 * its own with `apply`; the controller reads them (`get`, `list`, and `ClusterWatches.nodeReports` to
 * follow them). Reads come back unvalidated: parse them with core/nodeReport's `parseNodeReport`.
 */
export interface NodeReports {
  /**
   * Server-side apply (field manager `gpu-steward-agent`, forced) of the object (name, labels, spec, an
   * ownerReference to the Node `nodeName`/`nodeUid`) and then of its status subresource; the object
   * apply is skipped while what it would send is what this adapter last sent successfully. The status is
   * checked against the schema and the size budget first: InvalidError (422) naming the field, nothing
   * sent. Returns the object as stored after the status apply.
   */
  apply(nodeName: string, nodeUid: string, body: NodeReportBody): Promise<CustomObject>;
  /** `undefined` when there is no report for that node. */
  get(nodeName: string): Promise<CustomObject | undefined>;
  list(): Promise<CustomObject[]>;
}

/** Everything a process needs from the cluster, built by `kubeAdapters` (client.ts) or `memoryAdapters` (memory.ts). */
export interface KubePorts {
  events: EventRecorder;
  customObjects: CustomObjects;
  configMaps: ConfigMaps;
  secrets: Secrets;
  leases: Leases;
  watches: ClusterWatches;
  deployments: Deployments;
  nodeReports: NodeReports;
}

/** Who this replica is: names the Events it reports and the Lease it holds. */
export interface KubeIdentity {
  /** Pod name (downward API), or the host name outside a cluster. */
  podName: string;
}

/** Options both EventRecorder adapters share. */
export interface EventRecorderOptions {
  /** Called once per failed record(), e.g. to count `gpu_steward_kube_event_errors_total`. */
  onError?: (err: unknown, e: EventRecord) => void;
}

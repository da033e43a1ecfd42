/**
 * The NodeReport write path both adapters share (nodeReports.ts explains the two applies and `force`):
 * the bodies, the checks made before sending, and NodeReportWriter, which sends through a
 * NodeReportApplier. No client-node here: the node agent's light client (lightAgentPorts.ts) uses it.
 */
import {
  MAX_NODE_REPORT_BYTES,
  NODE_REPORT_API_VERSION,
  NODE_REPORT_GROUP,
  NODE_REPORT_KIND,
  NODE_REPORT_PLURAL,
  NODE_REPORT_VERSION,
  NodeReportInputError,
  nodeReportSize,
  NodeReportSpec,
  ObjectName,
  parseNodeReportStatus,
  type NodeReportStatus,
} from "../../core/nodeReport/index.js";
import { InvalidError, isNotFound, KubeApiError } from "./errors.js";
import type { CustomObject, GroupVersionResource, NodeReportBody } from "./ports.js";
import type { ListPage } from "./watches.js";

export const NODE_REPORTS: GroupVersionResource = { group: NODE_REPORT_GROUP, version: NODE_REPORT_VERSION, plural: NODE_REPORT_PLURAL };
export const NODE_REPORT_FIELD_MANAGER = "gpu-steward-agent";
/**
 * `status.topology` has a field manager of its own, applied only when the topology's hash changes: the
 * rest of the status is applied every poll without it, and under server-side apply a field is removed
 * only when the manager that applied it leaves it out, so the topology stays as last written.
 */
export const NODE_REPORT_TOPOLOGY_FIELD_MANAGER = "gpu-steward-agent-topology";
/** Not the node name: label values stop at 63 characters, node names at 253; the object's name is the node's. */
export const NODE_REPORT_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/managed-by": NODE_REPORT_FIELD_MANAGER };

function isObject(value: unknown): value is CustomObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The object apply: name, labels, spec and the ownerReference that lets the garbage collector delete the
 * report with its Node. `controller` is left out (false): the Node does not manage the report, and
 * `controller: true` would show it as "Controlled By" the Node and let controllers that adopt by owner
 * treat it as theirs. `blockOwnerDeletion` is left out too: setting it needs `update` on nodes/finalizers
 * (OwnerReferencesPermissionEnforcement), which the agent should not have, and a Node's deletion
 * should not wait for its report.
 */
export function nodeReportObjectBody(nodeName: string, nodeUid: string, spec: NodeReportSpec): CustomObject {
  return {
    apiVersion: NODE_REPORT_API_VERSION,
    kind: NODE_REPORT_KIND,
    metadata: {
      name: nodeName,
      labels: { ...NODE_REPORT_LABELS },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }],
    },
    spec: { ...spec },
  };
}

/** The status apply: identity and status only (the status subresource ignores the rest). */
export function nodeReportStatusBody(nodeName: string, status: Partial<NodeReportStatus>): CustomObject {
  return { apiVersion: NODE_REPORT_API_VERSION, kind: NODE_REPORT_KIND, metadata: { name: nodeName }, status };
}

function invalid(nodeName: string, field: string, message: string): InvalidError {
  return new InvalidError(`NodeReport "${nodeName}" is invalid: ${field}: ${message}`);
}

/**
 * What the API server would refuse (or etcd, for size), refused here first with the field named, so
 * a bad report costs no request and the memory adapter, which validates nothing, refuses it too.
 */
export function checkedNodeReport(nodeName: string, nodeUid: string, body: NodeReportBody): { spec: NodeReportSpec; status: NodeReportStatus } {
  if (!ObjectName.safeParse(nodeName).success) throw invalid(nodeName, "metadata.name", "expected a node name (DNS subdomain)");
  if (nodeUid === "") throw invalid(nodeName, "metadata.ownerReferences.0.uid", "the Node's uid is required");
  const spec = NodeReportSpec.safeParse(body.spec ?? { nodeName });
  if (!spec.success || spec.data.nodeName !== nodeName) throw invalid(nodeName, "spec.nodeName", `expected ${nodeName}, the object's name`);
  let status: NodeReportStatus;
  try {
    status = parseNodeReportStatus(body.status);
  } catch (err) {
    if (err instanceof NodeReportInputError) throw invalid(nodeName, err.field, err.problem);
    throw err;
  }
  const bytes = nodeReportSize(status);
  if (bytes > MAX_NODE_REPORT_BYTES) throw invalid(nodeName, "status", `${bytes} bytes, over the ${MAX_NODE_REPORT_BYTES}-byte budget (trim it with fitNodeReport)`);
  return { spec: spec.data, status };
}

/** The two applies an adapter sends; each resolves to the object as stored, or rejects with a KubeApiError. */
export interface NodeReportApplier {
  applyObject(nodeName: string, body: CustomObject): Promise<CustomObject>;
  applyStatus(nodeName: string, body: CustomObject, fieldManager: string): Promise<CustomObject>;
}

/** The agent's write, shared by both adapters: check, object apply when it changed, status apply. */
export class NodeReportWriter {
  /** Node name → the object body last applied successfully, as JSON. */
  readonly #applied = new Map<string, string>();
  /** Node name → the topology hash last applied successfully. */
  readonly #topology = new Map<string, string>();

  constructor(private readonly applier: NodeReportApplier) {}

  /**
   * The object when it changed, the topology when its hash changed (its own field manager), then the
   * rest of the status, every call.
   */
  async apply(nodeName: string, nodeUid: string, body: NodeReportBody): Promise<CustomObject> {
    const { spec, status } = checkedNodeReport(nodeName, nodeUid, body);
    const objectBody = nodeReportObjectBody(nodeName, nodeUid, spec);
    const key = JSON.stringify(objectBody);
    if (this.#applied.get(nodeName) !== key) await this.#applyObject(nodeName, objectBody, key);
    const write = async (): Promise<CustomObject> => {
      const { topology, ...rest } = status;
      if (topology !== undefined && this.#topology.get(nodeName) !== topology.hash) {
        this.#topology.delete(nodeName);
        await this.applier.applyStatus(nodeName, nodeReportStatusBody(nodeName, { topology }), NODE_REPORT_TOPOLOGY_FIELD_MANAGER);
        this.#topology.set(nodeName, topology.hash);
      }
      return this.applier.applyStatus(nodeName, nodeReportStatusBody(nodeName, rest), NODE_REPORT_FIELD_MANAGER);
    };
    try {
      return await write();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Deleted since our last object apply (by hand, or with its Node): create it again, once, topology included.
      this.#topology.delete(nodeName);
      await this.#applyObject(nodeName, objectBody, key);
      return write();
    }
  }

  async #applyObject(nodeName: string, body: CustomObject, key: string): Promise<void> {
    this.#applied.delete(nodeName);
    await this.applier.applyObject(nodeName, body);
    this.#applied.set(nodeName, key);
  }
}

/** A raw list answer as a ListPage (watches.ts): custom objects are not decoded, so `continue` keeps its wire name. */
export function customListPage(list: unknown, what: string): ListPage {
  if (!isObject(list) || !Array.isArray(list["items"])) throw new KubeApiError(500, "InternalError", `${what}: response has no items array`);
  const meta = isObject(list["metadata"]) ? list["metadata"] : {};
  const resourceVersion = typeof meta["resourceVersion"] === "string" ? meta["resourceVersion"] : undefined;
  const next = typeof meta["continue"] === "string" && meta["continue"] !== "" ? meta["continue"] : undefined;
  return { metadata: { ...(resourceVersion !== undefined && { resourceVersion }), ...(next !== undefined && { _continue: next }) }, items: list["items"] };
}

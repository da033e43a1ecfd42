/**
 * What the node agent needs of the cluster, over the light client (lightClient.ts) instead of
 * client-node: the pods on its node (list + watch), its NodeReport (two server-side applies), its
 * Node's uid and labels (GET, merge PATCH), and Events (POST core/v1). Each piece reuses the logic the
 * client-node adapters use (NodeReportWriter, KubeEventRecorder, buildEvent) and swaps only the
 * transport, so the bodies on the wire are the same.
 *
 * The result is structural (no nodeagent/ import: platform/ knows no component); cmd/agent.ts hands
 * it to the agent as its AgentKube.
 */
import { NODE_REPORT_GROUP, NODE_REPORT_PLURAL, NODE_REPORT_VERSION } from "../../core/nodeReport/index.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import { isNotFound, KubeApiError } from "./errors.js";
import { KubeEventRecorder, type EventSink } from "./events.js";
import type { LightKubeClient } from "./lightClient.js";
import { LightObjectWatch } from "./lightWatch.js";
import { NODE_REPORT_FIELD_MANAGER, NodeReportWriter, type NodeReportApplier } from "./nodeReportWriter.js";
import type { NodeFacts, Nodes } from "./nodes.js";
import type { CustomObject, EventRecorder, EventRecorderOptions, KubeIdentity, NodeReportBody, NodeReports, ObjectWatch } from "./ports.js";

const APPLY_PATCH = "application/apply-patch+yaml";
const MERGE_PATCH = "application/merge-patch+json";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A path segment as the API server expects it (names are DNS subdomains; escaping is for safety). */
const seg = encodeURIComponent;

/** The pods bound to `nodeName`: what podsOnNode.ts's kubePodsOnNode watches (its selector, `spec.nodeName=<node>`). */
export function lightPodsOnNode(client: LightKubeClient, nodeName: string): ObjectWatch {
  return new LightObjectWatch(client, "pods", "/api/v1/pods", `spec.nodeName=${nodeName}`);
}

/**
 * The two applies NodeReportWriter sends (nodeReports.ts explains why two, and why forced):
 * `PATCH /apis/gpu-steward.io/v1alpha1/nodereports/{name}[/status]?fieldManager=…&force=true` as
 * `application/apply-patch+yaml` with a JSON body (JSON is YAML).
 */
export function lightNodeReportApplier(client: LightKubeClient): NodeReportApplier {
  const apply = (subresource: "" | "/status") => async (nodeName: string, body: CustomObject, fieldManager = NODE_REPORT_FIELD_MANAGER): Promise<CustomObject> => {
    const path = `/apis/${NODE_REPORT_GROUP}/${NODE_REPORT_VERSION}/${NODE_REPORT_PLURAL}/${seg(nodeName)}${subresource}`;
    const stored = await client.json({ method: "PATCH", path, query: { fieldManager, force: true }, body, contentType: APPLY_PATCH });
    if (!isRecord(stored)) throw new KubeApiError(500, "InternalError", `PATCH ${path}: the answer is not an object`);
    return stored;
  };
  return { applyObject: apply(""), applyStatus: apply("/status") };
}

export class LightNodeReports implements Pick<NodeReports, "apply"> {
  readonly #writer: NodeReportWriter;

  constructor(client: LightKubeClient) {
    this.#writer = new NodeReportWriter(lightNodeReportApplier(client));
  }

  apply(nodeName: string, nodeUid: string, body: NodeReportBody): Promise<CustomObject> {
    return this.#writer.apply(nodeName, nodeUid, body);
  }
}

/** nodes.ts's Nodes port: `GET /api/v1/nodes/{name}` (404: undefined) and a merge patch of labels. */
export class LightNodes implements Nodes {
  constructor(private readonly client: LightKubeClient) {}

  async get(name: string): Promise<NodeFacts | undefined> {
    let node: unknown;
    try {
      node = await this.client.json({ method: "GET", path: `/api/v1/nodes/${seg(name)}` });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const meta = isRecord(node) && isRecord(node["metadata"]) ? node["metadata"] : {};
    const uid = meta["uid"];
    if (typeof uid !== "string") return undefined;
    const labels = isRecord(meta["labels"]) ? meta["labels"] : {};
    return { uid, labels: Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string")) };
  }

  async patchLabels(name: string, labels: Record<string, string | null>): Promise<void> {
    // A merge patch touches only the keys named (null removes one), never the kubelet's status.
    await this.client.json({ method: "PATCH", path: `/api/v1/nodes/${seg(name)}`, body: { metadata: { labels } }, contentType: MERGE_PATCH });
  }
}

/** events.ts's EventSink: `POST /api/v1/namespaces/{ns}/events` with the core/v1 Event buildEvent made, as client-node's sink sends it. */
export function lightEventSink(client: LightKubeClient): EventSink {
  // JSON.stringify writes the Dates through toISOString, so eventTime (a V1MicroTime) keeps its six digits.
  return (namespace, event) => client.json({ method: "POST", path: `/api/v1/namespaces/${seg(namespace)}/events`, body: event });
}

/** The agent's cluster (nodeagent/daemon's AgentKube, structurally). */
export interface LightAgentKube {
  podsOnNode: ObjectWatch;
  reports: Pick<NodeReports, "apply">;
  node: {
    uid(nodeName: string): Promise<string | undefined>;
    labels(nodeName: string): Promise<Record<string, string>>;
    setLabels(nodeName: string, labels: Record<string, string>): Promise<void>;
  };
  events: EventRecorder;
}

export interface LightAgentKubeOptions {
  events?: EventRecorderOptions;
}

export function lightAgentKube(client: LightKubeClient, nodeName: string, log: Logger, clock: Clock, identity: KubeIdentity, opts: LightAgentKubeOptions = {}): LightAgentKube {
  const nodes = new LightNodes(client);
  return {
    podsOnNode: lightPodsOnNode(client, nodeName),
    reports: new LightNodeReports(client),
    node: {
      uid: async (name) => (await nodes.get(name))?.uid,
      labels: async (name) => (await nodes.get(name))?.labels ?? {},
      setLabels: (name, labels) => nodes.patchLabels(name, labels),
    },
    events: new KubeEventRecorder(lightEventSink(client), log.child({ component: "kube-events" }), clock, identity.podName, opts.events),
  };
}

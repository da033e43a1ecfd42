/**
 * NodeReports (gpu-steward.io/v1alpha1, core/nodeReport): the agent's write and the controller's reads
 * over client-node, and the write path both adapters share (NodeReportWriter; the in-memory adapter
 * is in memory.ts).
 *
 * The write is server-side apply, `fieldManager=gpu-steward-agent`, `force=true`: the agent is the one
 * writer and always sends the whole report, so apply needs no read first (no resourceVersion, no 409
 * retry loop), creates the object when absent, and removes what the agent stops sending. `force`
 * because every field sent is the agent's to set: someone's `kubectl edit` must not stop the reports.
 * It takes two requests because of the status subresource: an apply to the object ignores `status`,
 * an apply to `…/status` ignores everything else (and never creates). The object apply is sent again
 * only when its body changes (a new Node UID) or the status apply finds no object (deleted, or
 * garbage-collected with its Node), which halves the agent's requests.
 *
 * client-node 1.x picks a patch's Content-Type itself (JSON Patch for custom objects); the apply type
 * is set with `setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply)`, and the body is sent as
 * JSON, which is YAML, so `application/apply-patch+yaml` reads it. No `fieldValidation=Strict`: Helm
 * never upgrades a CRD, so a newer agent must still report to an older schema (unknown fields pruned).
 */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { NODE_REPORT_GROUP, NODE_REPORT_PLURAL } from "../../core/nodeReport/index.js";
import { isNotFound, KubeApiError, toKubeError } from "./errors.js";
import { customListPage, NODE_REPORT_FIELD_MANAGER, NODE_REPORTS, NodeReportWriter } from "./nodeReportWriter.js";
import type { CustomObject, NodeReportBody, NodeReports } from "./ports.js";
import type { ListPage } from "./watches.js";

export {
  checkedNodeReport,
  customListPage,
  NODE_REPORT_FIELD_MANAGER,
  NODE_REPORT_LABELS,
  NODE_REPORT_TOPOLOGY_FIELD_MANAGER,
  NODE_REPORTS,
  nodeReportObjectBody,
  nodeReportStatusBody,
  NodeReportWriter,
  type NodeReportApplier,
} from "./nodeReportWriter.js";

/** client-go's pager default, as watches.ts's LIST_PAGE_SIZE (not imported: watches.ts imports this file). */
const LIST_PAGE_SIZE = 500;

function isObject(value: unknown): value is CustomObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class KubeNodeReports implements NodeReports {
  readonly #writer: NodeReportWriter;

  constructor(private readonly api: CustomObjectsApi) {
    const apply = (subresource: "" | "/status") => async (nodeName: string, body: CustomObject, fieldManager = NODE_REPORT_FIELD_MANAGER): Promise<CustomObject> => {
      const what = `PATCH ${NODE_REPORT_PLURAL}.${NODE_REPORT_GROUP} ${nodeName}${subresource}`;
      const request = { ...NODE_REPORTS, name: nodeName, body, fieldManager, force: true };
      const asApply = setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply);
      try {
        const stored: unknown = subresource === "" ? await this.api.patchClusterCustomObject(request, asApply) : await this.api.patchClusterCustomObjectStatus(request, asApply);
        if (!isObject(stored)) throw new KubeApiError(500, "InternalError", `${what}: response is not an object`);
        return stored;
      } catch (raw) {
        throw toKubeError(raw, what);
      }
    };
    this.#writer = new NodeReportWriter({ applyObject: apply(""), applyStatus: apply("/status") });
  }

  apply(nodeName: string, nodeUid: string, body: NodeReportBody): Promise<CustomObject> {
    return this.#writer.apply(nodeName, nodeUid, body);
  }

  async get(nodeName: string): Promise<CustomObject | undefined> {
    const what = `GET ${NODE_REPORT_PLURAL}.${NODE_REPORT_GROUP} ${nodeName}`;
    try {
      const obj: unknown = await this.api.getClusterCustomObject({ ...NODE_REPORTS, name: nodeName });
      if (!isObject(obj)) throw new KubeApiError(500, "InternalError", `${what}: response is not an object`);
      return obj;
    } catch (raw) {
      const err = toKubeError(raw, what);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every report, a page of LIST_PAGE_SIZE at a time (5,000 nodes × ~10 KB would be one 50 MB answer). */
  async list(): Promise<CustomObject[]> {
    const what = `LIST ${NODE_REPORT_PLURAL}.${NODE_REPORT_GROUP}`;
    const out: CustomObject[] = [];
    let continueToken: string | undefined;
    do {
      let page: ListPage;
      try {
        page = customListPage(await this.api.listClusterCustomObject({ ...NODE_REPORTS, limit: LIST_PAGE_SIZE, ...(continueToken !== undefined && { _continue: continueToken }) }), what);
      } catch (raw) {
        throw toKubeError(raw, what);
      }
      out.push(...page.items.filter(isObject));
      continueToken = page.metadata?._continue;
    } while (continueToken !== undefined);
    return out;
  }
}

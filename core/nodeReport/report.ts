/**
 * The NodeReport object: `spec` (which node) and `status` (what the agent saw). The CRD in
 * charts/gpu-steward/crds/ carries the same schema; test/core/nodeReport checks the two agree.
 *
 * The agent writes with server-side apply, where a field left out of an apply is removed from the
 * object. So every list is sent, empty or not, and a number or string the agent may not know is sent
 * as null (nullable scalars keep their null under apply since Kubernetes 1.21). An object it may not
 * have (the topology before the first read) is left out instead: a null object field has been mishandled
 * by server-side apply (kubernetes/kubernetes#140173: 1.36 stored {} or refused it with 422).
 */
import { z } from "zod";
import { AgentStatus } from "./agent.js";
import { GpuAllocations } from "./allocation.js";
import { Conditions } from "./conditions.js";
import { NodeReportInputError } from "./errors.js";
import { ObjectName } from "./fields.js";
import { MigLayout } from "./migLayout.js";
import { NODE_REPORT_API_VERSION, NODE_REPORT_KIND } from "./names.js";
import { ReplicaReports } from "./replicas.js";
import { NodeReportSummary, summarize } from "./summary.js";
import { TenantReports } from "./tenants.js";
import { ThrottleReports } from "./throttles.js";
import { NodeReportTopology } from "./topology.js";

export const NodeReportSpec = z.object({
  /** The Node reported on; the same as metadata.name. */
  nodeName: ObjectName,
});
export type NodeReportSpec = z.infer<typeof NodeReportSpec>;

export const NodeReportStatus = z.object({
  /** Absent until the agent has read the node's topology once. */
  topology: NodeReportTopology.optional(),
  allocation: GpuAllocations,
  migLayout: MigLayout,
  tenants: TenantReports,
  throttles: ThrottleReports,
  replicas: ReplicaReports,
  agent: AgentStatus,
  conditions: Conditions,
  summary: NodeReportSummary,
});
export type NodeReportStatus = z.infer<typeof NodeReportStatus>;

/** The whole object as read from the API server; `status` is absent between the object's create and its first status write. */
export const NodeReport = z
  .object({
    apiVersion: z.literal(NODE_REPORT_API_VERSION),
    kind: z.literal(NODE_REPORT_KIND),
    metadata: z.looseObject({ name: ObjectName }),
    spec: NodeReportSpec,
    status: NodeReportStatus.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.spec.nodeName !== r.metadata.name) ctx.addIssue({ code: "custom", path: ["spec", "nodeName"], message: `expected ${r.metadata.name}, the object's name` });
  });
export type NodeReport = z.infer<typeof NodeReport>;

/** A status with its summary counted from its lists. */
export function nodeReportStatus(parts: Omit<NodeReportStatus, "summary">): NodeReportStatus {
  return { ...parts, summary: summarize(parts) };
}

function firstIssue(error: z.ZodError, field: string): NodeReportInputError {
  const issue = error.issues[0];
  return new NodeReportInputError([field, ...(issue?.path ?? [])].map(String).join("."), issue?.message ?? "invalid");
}

/** Checks a NodeReport read from outside; throws NodeReportInputError naming the first bad field (`nodeReport.status.tenants.0.state`). */
export function parseNodeReport(input: unknown, field = "nodeReport"): NodeReport {
  const parsed = NodeReport.safeParse(input);
  if (parsed.success) return parsed.data;
  throw firstIssue(parsed.error, field);
}

/** The same for a status about to be written (`status.replicas.3.requestRate`); unknown fields are dropped. */
export function parseNodeReportStatus(input: unknown, field = "status"): NodeReportStatus {
  const parsed = NodeReportStatus.safeParse(input);
  if (parsed.success) return parsed.data;
  throw firstIssue(parsed.error, field);
}

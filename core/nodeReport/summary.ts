/**
 * `status.summary`: counts for `kubectl get nodereports` (printer columns cannot count a list). They
 * count what the node has, so a replica list trimmed for size still shows the true number here.
 */
import { z } from "zod";
import type { TenantReport } from "./tenants.js";

const Count = z.number().int().min(0);

export const NodeReportSummary = z.object({
  gpus: Count,
  tenants: Count,
  /** Tenants in state `violated`. */
  violatedTenants: Count,
  throttles: Count,
  replicas: Count,
});
export type NodeReportSummary = z.infer<typeof NodeReportSummary>;

export interface SummaryInput {
  topology?: { gpus: readonly unknown[] } | undefined;
  tenants: readonly Pick<TenantReport, "state">[];
  throttles: readonly unknown[];
  replicas: readonly unknown[];
}

export function summarize(s: SummaryInput): NodeReportSummary {
  return {
    gpus: s.topology?.gpus.length ?? 0,
    tenants: s.tenants.length,
    violatedTenants: s.tenants.filter((t) => t.state === "violated").length,
    throttles: s.throttles.length,
    replicas: s.replicas.length,
  };
}

/** `status.tenants`: latency-sensitive pods (with `gpu-steward.io/p99-slo-ms`) and where they stand against their SLO. */
import { z } from "zod";
import type { LatencyKind, TenantStatus } from "../slo/index.js";
import { DeviceId, NamespaceName, ObjectName, PodUid, Rfc3339 } from "./fields.js";
import { uniqueBy } from "./listKeys.js";

/** kubelet's default max-pods is 110, large nodes run up to ~250; every pod a tenant is the limit. */
export const MAX_TENANTS = 512;

// core/slo's own states (tenantStatus()): the mapped type fails to compile when one is added there.
const TENANT_STATES: { readonly [S in TenantStatus]: S } = { normal: "normal", degraded: "degraded", violated: "violated", cooldown: "cooldown", unknown: "unknown" };
export const ReportedTenantState = z.enum(TENANT_STATES);
const LATENCY_KINDS: { readonly [K in LatencyKind]: K } = { e2e: "e2e", ttft: "ttft", itl: "itl" };

export const TenantReport = z.object({
  namespace: NamespaceName,
  pod: ObjectName,
  uid: PodUid,
  /** The GPU it is judged on (tenants are judged together per GPU); null when pod-resources showed none. */
  gpu: DeviceId.nullable(),
  sloMs: z.number().positive(),
  /** Which latency the SLO is judged on (the pod's annotation; e2e by default). */
  latency: z.enum(LATENCY_KINDS),
  /** p99 over the last window; null when the window had no usable latency (no requests, too few samples). */
  p99Ms: z.number().min(0).nullable(),
  /** Requests behind `p99Ms` in the window. */
  samples: z.number().int().min(0),
  state: ReportedTenantState,
  /** When `state` was entered; null when the agent cannot tell (the state predates its last restart). */
  since: Rfc3339.nullable(),
});
export type TenantReport = z.infer<typeof TenantReport>;

export const TenantReports = z
  .array(TenantReport)
  .max(MAX_TENANTS)
  .superRefine(uniqueBy<TenantReport>("tenant uid", (t) => t.uid));

/**
 * `status.replicas`: per inference server pod (vLLM) on the node, its load and latency over the last
 * window, from its Prometheus metrics (core/slo/replicaLoad.ts): what the autoscaler's collector needs
 * without scraping every pod itself. Figures are null where the two scrapes of the window do not say
 * (no requests, a counter reset, a metric the server does not export).
 */
import { z } from "zod";
import { DeviceId, NamespaceName, ObjectName, PodUid } from "./fields.js";
import { uniqueBy } from "./listKeys.js";

/** Bounded list: fitNodeReport drops entries beyond what the size budget allows. */
export const MAX_REPLICAS = 256;

const Ms = z.number().min(0).nullable();
const Tokens = z.number().min(0).nullable();

export const ReplicaReport = z.object({
  namespace: NamespaceName,
  pod: ObjectName,
  uid: PodUid,
  /** vLLM's `model_name` label; null when the scrape carried none. */
  model: z.string().min(1).max(256).nullable(),
  /** Devices it holds (pod-resources ids). */
  gpus: z
    .array(DeviceId)
    .max(64)
    .superRefine(uniqueBy<string>("device id", (d) => d)),
  windowSeconds: z.number().positive(),
  /** Finished requests per second over the window; null when a counter went back (server restart). */
  requestRate: z.number().min(0).nullable(),
  /**
   * Arriving requests per second: finished ones plus the growth of running + waiting over the window
   * (requests are conserved). Completions trail arrivals when the server falls behind, which is when
   * sizing matters; the autoscaler sizes from this one.
   */
  arrivalRate: z.number().min(0).nullable(),
  avgInputTokens: Tokens,
  avgOutputTokens: Tokens,
  ttftP99Ms: Ms,
  ttftMeanMs: Ms,
  itlMeanMs: Ms,
  /** `num_requests_running` / `num_requests_waiting` at the last scrape; null when not exported. */
  running: z.number().min(0).nullable(),
  waiting: z.number().min(0).nullable(),
});
export type ReplicaReport = z.infer<typeof ReplicaReport>;

export const ReplicaReports = z
  .array(ReplicaReport)
  .max(MAX_REPLICAS)
  .superRefine(uniqueBy<ReplicaReport>("replica uid", (r) => r.uid));

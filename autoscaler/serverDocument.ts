/**
 * One managed Deployment → the optimizer's server document (server-data.json entry), by the classic
 * collector's rule (spec §4): name/class/model from labels, the current accelerator and max batch
 * from the allocation labels, replicas from `spec.replicas`, load measured (Prometheus) or, as the
 * last resort, from the load labels. Cost and latencies stay 0: the collector does not know them.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import { KEEP_ACCELERATOR_LABEL, MIN_REPLICAS_LABEL, serverLabel } from "./labels.js";

export interface MeasuredLoad {
  /** Requests per minute. */
  arrivalRate: number;
  avgInTokens: number;
  avgOutTokens: number;
}

/** The server-data.json entry, as JSON the core decoder reads (so label text gets the same checks as files). */
export interface ServerDocument {
  name: string;
  class: string;
  model: string;
  minNumReplicas?: number;
  keepAccelerator?: boolean;
  currentAlloc: {
    accelerator: string;
    numReplicas: number;
    maxBatch: number;
    cost: number;
    itlAverage: number;
    ttftAverage: number;
    load: MeasuredLoad;
  };
}

/** Go's strconv.ParseFloat accepts more than Number() rejects, but both refuse junk; junk counts as 0 as in the original. */
function labelFloat(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return 0;
  const value = Number(text);
  return Number.isFinite(value) ? value : 0;
}

/** Token averages are counts: NaN/Inf become 0 and fractions are truncated, as the original does. */
export function tokenCount(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : 0;
}

function labelInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text);
}

export function labelLoad(labels: Readonly<Record<string, string>>): MeasuredLoad {
  return {
    arrivalRate: labelFloat(serverLabel(labels, "loadRpm")),
    avgInTokens: tokenCount(labelFloat(serverLabel(labels, "loadInTokens"))),
    avgOutTokens: tokenCount(labelFloat(serverLabel(labels, "loadOutTokens"))),
  };
}

/** undefined for a Deployment without a server name (the original skips those). */
export function serverDocument(deployment: V1Deployment, measured?: MeasuredLoad): ServerDocument | undefined {
  const labels = deployment.metadata?.labels ?? {};
  const name = serverLabel(labels, "name");
  if (name === undefined || name === "") return undefined;
  const minNumReplicas = labelInt(labels[MIN_REPLICAS_LABEL]);
  return {
    name,
    class: serverLabel(labels, "class") ?? "",
    model: serverLabel(labels, "model") ?? "",
    ...(minNumReplicas !== undefined && { minNumReplicas }),
    ...(labels[KEEP_ACCELERATOR_LABEL] === "true" && { keepAccelerator: true }),
    currentAlloc: {
      accelerator: serverLabel(labels, "accelerator") ?? "",
      // The API server defaults an absent replica count to 1; the in-memory store does not default.
      numReplicas: deployment.spec?.replicas ?? 1,
      maxBatch: labelInt(serverLabel(labels, "maxBatch")) ?? 0,
      cost: 0,
      itlAverage: 0,
      ttftAverage: 0,
      load: measured ?? labelLoad(labels),
    },
  };
}

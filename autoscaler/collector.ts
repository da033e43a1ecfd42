/**
 * Collect: the managed Deployments (either label family, labels.ts), each mapped to its server
 * document with load measured by Prometheus where it answers, from the load labels otherwise.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import type { Deployments } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import { managedFamilies, managedSelectors, type LabelFamily } from "./labels.js";
import type { LoadSource, Measurement } from "./loadSource.js";
import { serverDocument, type ServerDocument } from "./serverDocument.js";

export type LoadOrigin = "nodereport" | "prometheus" | "labels";

export interface ManagedServer {
  namespace: string;
  deploymentName: string;
  uid: string;
  families: LabelFamily[];
  document: ServerDocument;
  loadOrigin: LoadOrigin;
  /** Observed latencies (NodeReport or Prometheus), for comparing with the optimizer's predictions. */
  observed: { ttftMs?: number; itlMs?: number };
  nodeSelector: Record<string, string>;
  /** The Deployment's labels as read, to write back only what differs. */
  labels: Record<string, string>;
}

/** Managed Deployments, once each (a Deployment with both families matches both selectors), in name order. */
export async function listManaged(deployments: Deployments): Promise<V1Deployment[]> {
  const byUid = new Map<string, V1Deployment>();
  for (const labelSelector of managedSelectors()) {
    for (const d of await deployments.list({ labelSelector })) {
      const key = d.metadata?.uid ?? `${d.metadata?.namespace}/${d.metadata?.name}`;
      byUid.set(key, d);
    }
  }
  return [...byUid.values()].sort((a, b) => {
    const ka = `${a.metadata?.namespace}/${a.metadata?.name}`;
    const kb = `${b.metadata?.namespace}/${b.metadata?.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export async function collect(deployments: Deployments, load: LoadSource | undefined, nowMs: number, log: Logger): Promise<ManagedServer[]> {
  const managed = await listManaged(deployments);
  const refs = managed.map((d) => ({ namespace: d.metadata?.namespace ?? "", name: d.metadata?.name ?? "" }));
  let measured = new Map<string, Measurement>();
  if (load !== undefined && refs.length > 0) measured = await load.measure(refs, nowMs);
  const servers: ManagedServer[] = [];
  const seenNames = new Set<string>();
  for (const d of managed) {
    const namespace = d.metadata?.namespace ?? "";
    const deploymentName = d.metadata?.name ?? "";
    const m = measured.get(`${namespace}/${deploymentName}`);
    const document = serverDocument(d, m?.load);
    if (document === undefined) {
      log.warn({ namespace, name: deploymentName, reason: "no server name label" }, "managed deployment skipped");
      continue;
    }
    // The optimizer keys servers by name; two Deployments claiming one name would share one plan.
    if (seenNames.has(document.name)) {
      log.warn({ namespace, name: deploymentName, reason: `server name ${document.name} already taken` }, "managed deployment skipped");
      continue;
    }
    seenNames.add(document.name);
    servers.push({
      namespace,
      deploymentName,
      uid: d.metadata?.uid ?? "",
      families: managedFamilies(d.metadata?.labels ?? {}),
      document,
      loadOrigin: m === undefined ? "labels" : m.origin,
      observed: { ...(m?.ttftMs !== undefined && { ttftMs: m.ttftMs }), ...(m?.itlMs !== undefined && { itlMs: m.itlMs }) },
      nodeSelector: { ...(d.spec?.template.spec?.nodeSelector ?? {}) },
      labels: { ...(d.metadata?.labels ?? {}) },
    });
  }
  return servers;
}

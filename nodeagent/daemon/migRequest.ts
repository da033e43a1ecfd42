/**
 * Tier 2: when throttling a neighbour is not enough (Tier 1 has nothing left to tighten, or no one to
 * throttle) and the tenant keeps violating, ask the GPU operator for a MIG layout that isolates
 * tenants, by setting the node label `nvidia.com/mig.config=<layout>` (a name from the mig-parted
 * config). The operator drains and repartitions; we never run `nvidia-smi mig` ourselves (it destroys
 * every instance on the GPU, which is what the original did). Off by default; each request is logged
 * and counted, and made once per layout (the label already set means already asked).
 */
import type { Logger } from "../../platform/log.js";
import type { EventRecorder } from "../../platform/kube/ports.js";
import type { GpuDiscovery } from "../discovery/index.js";
import type { PodDevicesLike } from "./podDevices.js";

export const MIG_CONFIG_LABEL = "nvidia.com/mig.config";

/** What Tier 2 needs of the Node: its labels, and a label change (merge patch). */
export interface NodeLabelsPort {
  labels(nodeName: string): Promise<Record<string, string>>;
  setLabels(nodeName: string, labels: Record<string, string>): Promise<void>;
}

export type MigRequestResult = "requested" | "already-requested" | "refused" | "failed";

export interface MigRequestRecord {
  readonly atMs: number;
  readonly victim: string;
  readonly gpu: string;
  readonly layout: string;
  readonly result: MigRequestResult;
  readonly error?: string;
}

/** What Tier 2 sees when it acts: the poll's discovery and pod-resources answer. */
export interface Tier2Context {
  readonly discovery: GpuDiscovery;
  readonly devices: readonly PodDevicesLike[];
}

/** A way to get a MIG layout: the GPU operator's label, or (operator-less nodes) nvidia-smi directly. */
export interface Tier2Requester {
  request(victim: string, gpu: string, nowMs: number, context: Tier2Context): Promise<MigRequestRecord>;
}

/** The Event for a request's outcome, on the Node. */
export function recordMigEvent(events: EventRecorder | undefined, nodeName: string, record: MigRequestRecord, how: string): void {
  if (events === undefined || record.result === "already-requested") return;
  const failed = record.result === "failed" || record.result === "refused";
  void events.record({
    regarding: { apiVersion: "v1", kind: "Node", namespace: "", name: nodeName },
    type: failed ? "Warning" : "Normal",
    reason: record.result === "failed" ? "MigLayoutRequestFailed" : record.result === "refused" ? "MigLayoutRefused" : "MigLayoutRequested",
    action: "RequestMigLayout",
    message: `tenant ${record.victim} keeps missing its SLO on ${record.gpu} after Tier 1: layout ${record.layout} ${how}${record.error ? `: ${record.error}` : ""}`,
  });
}

export class MigLayoutRequester implements Tier2Requester {
  constructor(
    private readonly o: { nodeName: string; layout: string; nodes: NodeLabelsPort; log: Logger; dryRun: boolean; events?: EventRecorder },
  ) {}

  async request(victim: string, gpu: string, nowMs: number): Promise<MigRequestRecord> {
    const { nodeName, layout, log } = this.o;
    const record = (result: MigRequestResult, error?: string): MigRequestRecord => {
      const r: MigRequestRecord = { atMs: nowMs, victim, gpu, layout, result, ...(error !== undefined && { error }) };
      // Every request and outcome is an Event on the Node, where the operator looks for the layout change.
      recordMigEvent(this.o.events, nodeName, r, result === "failed" ? `not set as ${MIG_CONFIG_LABEL}` : this.o.dryRun ? `not set as ${MIG_CONFIG_LABEL} (dry run)` : `set as ${MIG_CONFIG_LABEL} for the GPU operator`);
      return r;
    };
    try {
      const current = (await this.o.nodes.labels(nodeName))[MIG_CONFIG_LABEL];
      if (current === layout) return record("already-requested");
      if (this.o.dryRun) {
        log.info({ node: nodeName, label: `${MIG_CONFIG_LABEL}=${layout}`, previous: current ?? null, victim, gpu }, "MIG layout request skipped (dry run)");
        return record("requested");
      }
      await this.o.nodes.setLabels(nodeName, { [MIG_CONFIG_LABEL]: layout });
      log.warn({ node: nodeName, label: `${MIG_CONFIG_LABEL}=${layout}`, previous: current ?? null, victim, gpu }, "MIG layout requested from the GPU operator");
      return record("requested");
    } catch (err) {
      log.error({ err, code: "KUBE_API", node: nodeName, victim, gpu }, "MIG layout request failed");
      return record("failed", (err as Error).message);
    }
  }
}

/**
 * NodeReports (written by each node's agent) into the cluster view's topology: the links of the
 * node's GPUs and which of them are held, for the extender's topology score. A report the view must
 * not trust is dropped and the node scores neutral, never wrong: one that does not parse (logged once
 * per change, with the field), or one whose heartbeat is older than 3 of its poll intervals (the agent
 * is gone or stuck, so the allocation is stale). Staleness is checked on each event and by `expire`,
 * which the sync calls periodically, since a dead agent sends no events.
 */
import { isStale, parseNodeReport, NodeReportInputError, type NodeReport } from "../../core/nodeReport/index.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { ClusterView } from "./clusterView.js";
import type { ObjectEventType, ReflectorSink } from "./reflector.js";

export interface NodeReportFeedOptions {
  view: Pick<ClusterView, "setTopology">;
  clock: Clock;
  log: Logger;
  onSkipped?(): void;
}

function nameOf(object: unknown): string | undefined {
  const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/** GPU indices held by pods: allocation device ids (`GPU-…`, `GPU-…::n`, MIG ids) matched to the topology's UUIDs. */
export function allocatedIndices(report: NodeReport): number[] {
  const status = report.status;
  const gpus = status?.topology?.gpus ?? [];
  const byUuid = new Map(gpus.filter((g) => g.uuid !== undefined).map((g) => [g.uuid!, g.index]));
  const migParent = new Map<string, number>();
  for (const g of gpus) for (const m of g.migDevices ?? []) migParent.set(m.uuid, g.index);
  const held = new Set<number>();
  for (const a of status?.allocation ?? []) {
    const id = a.gpu.split("::")[0]!;
    const index = byUuid.get(id) ?? migParent.get(id) ?? (/^\d+$/.test(id) ? Number(id) : undefined);
    if (index !== undefined) held.add(index);
  }
  return [...held].sort((x, y) => x - y);
}

export class NodeReportFeed implements ReflectorSink {
  /** Node → its last trusted report, for `expire`. */
  private readonly reports = new Map<string, NodeReport>();
  /** Node → the problem last logged, so a bad report is logged once, not on every write. */
  private readonly logged = new Map<string, string>();

  constructor(private readonly o: NodeReportFeedOptions) {}

  replace(items: readonly unknown[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      const name = this.upsert(item);
      if (name !== undefined) listed.add(name);
    }
    for (const name of [...this.reports.keys()]) if (!listed.has(name)) this.forget(name);
  }

  apply(type: ObjectEventType, object: unknown): void {
    if (type === "DELETED") {
      const name = nameOf(object);
      if (name !== undefined) this.forget(name);
      return;
    }
    this.upsert(object);
  }

  /** Drops reports whose heartbeat went stale since they arrived. */
  expire(): number {
    const now = this.o.clock.nowMs();
    let expired = 0;
    for (const [name, report] of this.reports) {
      if (report.status !== undefined && isStale(report.status.agent, now)) {
        this.forget(name);
        this.report(name, "heartbeat stale: the agent stopped reporting; topology score neutral until it reports again");
        expired++;
      }
    }
    return expired;
  }

  private upsert(object: unknown): string | undefined {
    const name = nameOf(object);
    if (name === undefined) {
      this.o.onSkipped?.();
      return undefined;
    }
    let report: NodeReport;
    try {
      report = parseNodeReport(object);
    } catch (err) {
      if (!(err instanceof NodeReportInputError)) throw err;
      this.forget(name);
      this.report(name, `unreadable: ${err.field}: ${err.message.slice(err.field.length + 2)}`);
      this.o.onSkipped?.();
      return name;
    }
    const topology = report.status?.topology;
    if (topology === undefined || isStale(report.status!.agent, this.o.clock.nowMs())) {
      this.forget(name);
      return name;
    }
    this.reports.set(name, report);
    this.logged.delete(name);
    this.o.view.setTopology(name, topology, allocatedIndices(report));
    return name;
  }

  private forget(name: string): void {
    this.reports.delete(name);
    this.o.view.setTopology(name, undefined);
  }

  private report(name: string, problem: string): void {
    if (this.logged.get(name) === problem) return;
    this.logged.set(name, problem);
    this.o.log.warn({ kind: "NodeReport", name, field: problem }, "NodeReport not used for placement");
  }
}

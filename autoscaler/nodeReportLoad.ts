/**
 * Load per Deployment from the replica data the node agents publish in their NodeReports (each vLLM
 * pod's arrival rate, tokens per request, TTFT and ITL over the agent's last poll window): no
 * Prometheus needed. Pods map to their Deployment by name (`<deployment>-<replicaset hash>-<pod hash>`,
 * as the Prometheus `pod` mode does). Reports that do not parse, or whose heartbeat is stale (the agent
 * stopped), are skipped; a Deployment none of whose pods has a rate gets no measurement here, and the
 * next source (Prometheus, then its load labels) answers for it.
 *
 * Arrivals, not completions: the agent's `arrivalRate` adds the growth of running + waiting to the
 * completions, so a server falling behind is sized for what arrives. Token and latency means are
 * weighted by each pod's completions, the requests they were measured on.
 */
import { isStale, parseNodeReport, NodeReportInputError, type ReplicaReport } from "../core/nodeReport/index.js";
import type { NodeReports } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import type { LoadSource, Measurement } from "./loadSource.js";
import { tokenCount } from "./serverDocument.js";

const POD_OF_DEPLOYMENT = /^(.+)-[a-z0-9]+-[a-z0-9]+$/;

export function deploymentOfPod(pod: string): string | undefined {
  return POD_OF_DEPLOYMENT.exec(pod)?.[1];
}

interface Sums {
  arrivalPerS: number;
  rated: boolean;
  completions: number;
  inTokens: number;
  outTokens: number;
  ttftMs: number;
  ttftWeight: number;
  itlMs: number;
  itlWeight: number;
}

function add(s: Sums, r: ReplicaReport): void {
  const rate = r.arrivalRate ?? r.requestRate;
  if (rate === null) return;
  s.rated = true;
  s.arrivalPerS += rate;
  const done = r.requestRate ?? 0;
  if (done <= 0) return;
  s.completions += done;
  s.inTokens += (r.avgInputTokens ?? 0) * done;
  s.outTokens += (r.avgOutputTokens ?? 0) * done;
  if (r.ttftMeanMs !== null) {
    s.ttftMs += r.ttftMeanMs * done;
    s.ttftWeight += done;
  }
  if (r.itlMeanMs !== null) {
    s.itlMs += r.itlMeanMs * done;
    s.itlWeight += done;
  }
}

export class NodeReportLoadSource implements LoadSource {
  constructor(
    private readonly reports: Pick<NodeReports, "list">,
    private readonly log: Logger,
  ) {}

  async measure(deployments: ReadonlyArray<{ namespace: string; name: string }>, nowMs: number): Promise<Map<string, Measurement>> {
    const wanted = new Set(deployments.map((d) => `${d.namespace}/${d.name}`));
    let objects: unknown[];
    try {
      objects = await this.reports.list();
    } catch (err) {
      this.log.warn({ err, code: "KUBE_API", source: "nodereports" }, "NodeReports not listed; load from the next source");
      return new Map();
    }
    const sums = new Map<string, Sums>();
    for (const object of objects) {
      let replicas: readonly ReplicaReport[];
      try {
        const report = parseNodeReport(object);
        if (report.status === undefined || isStale(report.status.agent, nowMs)) continue;
        replicas = report.status.replicas;
      } catch (err) {
        if (!(err instanceof NodeReportInputError)) throw err;
        this.log.debug({ field: err.field, source: "nodereports" }, "NodeReport skipped: unreadable");
        continue;
      }
      for (const r of replicas) {
        const deployment = deploymentOfPod(r.pod);
        const key = deployment === undefined ? undefined : `${r.namespace}/${deployment}`;
        if (key === undefined || !wanted.has(key)) continue;
        let s = sums.get(key);
        if (s === undefined) sums.set(key, (s = { arrivalPerS: 0, rated: false, completions: 0, inTokens: 0, outTokens: 0, ttftMs: 0, ttftWeight: 0, itlMs: 0, itlWeight: 0 }));
        add(s, r);
      }
    }
    const measured = new Map<string, Measurement>();
    for (const [key, s] of sums) {
      if (!s.rated) continue;
      measured.set(key, {
        origin: "nodereport",
        load: {
          arrivalRate: s.arrivalPerS * 60,
          avgInTokens: s.completions > 0 ? tokenCount(s.inTokens / s.completions) : 0,
          avgOutTokens: s.completions > 0 ? tokenCount(s.outTokens / s.completions) : 0,
        },
        ...(s.ttftWeight > 0 && { ttftMs: s.ttftMs / s.ttftWeight }),
        ...(s.itlWeight > 0 && { itlMs: s.itlMs / s.itlWeight }),
      });
    }
    return measured;
  }
}

/** Each Deployment's load from the first source that measures it. */
export class FirstMeasured implements LoadSource {
  constructor(private readonly sources: readonly LoadSource[]) {}

  async measure(deployments: ReadonlyArray<{ namespace: string; name: string }>, nowMs: number): Promise<Map<string, Measurement>> {
    const out = new Map<string, Measurement>();
    let missing = [...deployments];
    for (const source of this.sources) {
      if (missing.length === 0) break;
      const got = await source.measure(missing, nowMs);
      for (const [key, m] of got) if (!out.has(key)) out.set(key, m);
      missing = missing.filter((d) => !out.has(`${d.namespace}/${d.name}`));
    }
    return out;
  }
}

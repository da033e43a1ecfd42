/**
 * Keeps a ClusterView in step with the cluster's Nodes and Pods (cluster mode), as an informer would:
 * one reflector per resource (reflector.ts) lists, then watches, and feeds the view (clusterViewFeeds.ts).
 *
 * Pods are followed in all namespaces, bound and not terminal (ASSIGNED_NON_TERMINAL_PODS, the field
 * selector kube-scheduler's informer uses): a pod that finishes leaves the selection and arrives as
 * DELETED, which releases its GPUs. The view also drops Succeeded/Failed pods itself, for sources
 * that send them.
 *
 * `synced` resolves once both resources have been listed: until then the view undercounts and the
 * extender should not be called ready.
 */
import type { Clock } from "../clock.js";
import { StewardError } from "../errors.js";
import type { Logger } from "../log.js";
import type { ClusterView } from "./clusterView.js";
import { NodeFeed, PodFeed } from "./clusterViewFeeds.js";
import { NodeReportFeed } from "./nodeReportFeed.js";
import type { ClusterViewSyncMetrics } from "./clusterViewMetrics.js";
import { unrefWait, type Wait } from "./leader.js";
import type { ClusterWatches, ObjectWatch } from "./ports.js";
import { DEFAULT_BACKOFF, runReflector, type BackoffOptions, type ReflectorSink } from "./reflector.js";

export interface ClusterViewSyncOptions {
  watches: ClusterWatches;
  view: ClusterView;
  log: Logger;
  clock: Clock;
  /** List everything again this often, to repair any drift; absent or 0: only when a watch gets 410. */
  resyncMs?: number;
  /** Retry delays after a failed list or watch; client-go's reflector values by default. */
  backoff?: BackoffOptions;
  /** Timer, injectable for tests; unref'd so the sync never holds the process open. */
  wait?: Wait;
  /** Jitter source in [0, 1). */
  random?: () => number;
  metrics?: ClusterViewSyncMetrics;
  /** Follow the agents' NodeReports into the view's topology (not part of `synced`: the CRD may be absent). */
  nodeReports?: boolean;
  /** How often reports with a stale heartbeat are dropped. */
  nodeReportExpiryMs?: number;
}

/** A dead agent's report stops counting within this (plus its own 3 missed polls). */
export const DEFAULT_NODE_REPORT_EXPIRY_MS = 30_000;

export interface ClusterViewSync {
  /** Resolves after the first full list of nodes and of pods; rejects if stopped before that. */
  synced: Promise<void>;
  /** The same as a value, for a readiness check. */
  isSynced(): boolean;
  /** Ends the watches; resolves when both loops have returned. */
  stop(): Promise<void>;
}

export function startClusterViewSync(o: ClusterViewSyncOptions): ClusterViewSync {
  const log = o.log.child({ component: "cluster-view-sync" });
  const stopping = new AbortController();
  const pending = new Set<string>([o.watches.nodes.resource, o.watches.pods.resource]);
  let markSynced: () => void = () => undefined;
  let failSync: (err: Error) => void = () => undefined;
  const synced = new Promise<void>((resolve, reject) => {
    markSynced = resolve;
    failSync = reject;
  });
  // A caller that only polls isSynced() must not get an unhandled rejection on stop.
  synced.catch(() => undefined);

  const run = (source: ObjectWatch, sink: ReflectorSink): Promise<void> =>
    runReflector(
      {
        source,
        sink,
        log,
        clock: o.clock,
        wait: o.wait ?? unrefWait,
        random: o.random ?? Math.random,
        backoff: o.backoff ?? DEFAULT_BACKOFF,
        ...(o.resyncMs !== undefined && { resyncMs: o.resyncMs }),
        onListed: (reason) => {
          o.metrics?.lists.inc({ resource: source.resource, reason });
          if (pending.delete(source.resource) && pending.size === 0) {
            log.info("cluster view synced");
            markSynced();
          }
        },
        onError: (operation) => o.metrics?.errors.inc({ resource: source.resource, operation }),
        onSkipped: () => o.metrics?.skipped.inc({ resource: source.resource }),
      },
      stopping.signal,
    );

  const skipped = (resource: string) => () => o.metrics?.skipped.inc({ resource });
  const loops = [
    run(o.watches.nodes, new NodeFeed({ view: o.view, log, onSkipped: skipped(o.watches.nodes.resource) })),
    run(o.watches.pods, new PodFeed({ view: o.view, log, onSkipped: skipped(o.watches.pods.resource) })),
  ];
  if (o.nodeReports) {
    const feed = new NodeReportFeed({ view: o.view, clock: o.clock, log, onSkipped: skipped(o.watches.nodeReports.resource) });
    loops.push(run(o.watches.nodeReports, feed));
    const wait = o.wait ?? unrefWait;
    loops.push(
      (async () => {
        while (!stopping.signal.aborted) {
          await wait(o.nodeReportExpiryMs ?? DEFAULT_NODE_REPORT_EXPIRY_MS, stopping.signal);
          if (!stopping.signal.aborted) feed.expire();
        }
      })(),
    );
  }

  return {
    synced,
    isSynced: () => pending.size === 0,
    async stop() {
      stopping.abort();
      await Promise.allSettled(loops);
      if (pending.size > 0) failSync(new StewardError("KUBE_API", `cluster view sync stopped before ${[...pending].join(" and ")} were listed`));
    },
  };
}

import fastJsonPatch, { type Operation } from "fast-json-patch";
import { pino } from "pino";
import { Registry } from "prom-client";
import { ManualClock } from "../../platform/clock.js";
import { admit, type AdmitDeps, type Decision, type JobEvents } from "../../webhook/admit.js";
import { WebhookConfig } from "../../webhook/config.js";
import { WebhookMetrics } from "../../webhook/metrics.js";
import type { ConfigMapSource } from "../../webhook/mountedFiles.js";
import { EmbeddedRecommender } from "../../webhook/recommenders/index.js";
import type { Recommender } from "../../webhook/recommenders/types.js";
import { decodeReview } from "../../webhook/review.js";

export type RecordedEvent = Parameters<JobEvents["record"]>[0];

export interface Harness {
  deps: AdmitDeps;
  events: RecordedEvent[];
  registry: Registry;
  review(body: Record<string, unknown>): Promise<Decision>;
}

export function aHarness(opts: { config?: Record<string, unknown>; recommender?: Recommender; configMaps?: ConfigMapSource; cluster?: boolean } = {}): Harness {
  const registry = new Registry();
  const events: RecordedEvent[] = [];
  const deps: AdmitDeps = {
    config: WebhookConfig.parse(opts.config ?? {}),
    recommender: opts.recommender ?? new EmbeddedRecommender(),
    clock: new ManualClock(1_700_000_000_000),
    log: pino({ level: "silent" }),
    metrics: new WebhookMetrics(registry),
    ...((opts.cluster ?? true) && { events: { record: async (e: RecordedEvent) => void events.push(e) } }),
    ...(opts.configMaps && { configMaps: opts.configMaps }),
  };
  return {
    deps,
    events,
    registry,
    async review(body) {
      const decoded = decodeReview(body);
      if (!decoded.ok) throw new Error(decoded.message);
      return admit(decoded.request, deps);
    },
  };
}

/** Applies a patch to a copy, as the apiserver does; throws when an op does not apply. */
export function applyOps<T>(object: T, ops: Operation[]): T {
  return fastJsonPatch.applyPatch(structuredClone(object), ops, true, false).newDocument;
}

export function at(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], obj);
}

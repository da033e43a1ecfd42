import { collectDefaultMetrics, Registry } from "prom-client";

/** Every series gpu-steward exports starts with this prefix. */
export const METRIC_PREFIX = "gpu_steward_";

/** One registry per process, injected into each component; process metrics included. */
export function createRegistry(opts: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/**
 * Lookups over a SystemSpec as the optimizer resolves names: later entries replace earlier ones
 * with the same key (accelerator name, (model, accelerator), class name, capacity type).
 */
import type { AcceleratorSpec, ModelPerf, ModelTarget, ServerSpec, SystemSpec } from "./documents.js";

/** Class used for a server whose `class` is empty. */
export const DEFAULT_SERVICE_CLASS = "Free";
/** Priority of an unknown class and of any priority outside [1, 100]. */
export const LOWEST_PRIORITY = 100;

export interface ServiceClassEntry {
  priority: number;
  targets: ReadonlyMap<string, ModelTarget>;
}

export interface SystemIndex {
  accelerators: ReadonlyMap<string, AcceleratorSpec>;
  /** Accelerator names in byte order: the deterministic candidate order. */
  acceleratorNames: readonly string[];
  perf(model: string, accelerator: string): ModelPerf | undefined;
  classes: ReadonlyMap<string, ServiceClassEntry>;
  capacity: ReadonlyMap<string, number>;
  /** Servers by name in byte order (a repeated name keeps its last spec). */
  servers: readonly ServerSpec[];
}

export function classOf(server: ServerSpec): string {
  return server.class === "" ? DEFAULT_SERVICE_CLASS : server.class;
}

/** Replicas are sized in bundles; a perf entry with accCount ≤ 0 means one bundle. */
export function bundlesPerReplica(perf: ModelPerf | undefined): number {
  return perf === undefined || perf.accCount <= 0 ? 1 : perf.accCount;
}

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function indexSystem(system: SystemSpec): SystemIndex {
  const accelerators = new Map(system.acceleratorData.accelerators.map((a) => [a.name, a] as const));
  const perfs = new Map<string, ModelPerf>();
  for (const p of system.modelData.models) perfs.set(`${p.name}\u0000${p.acc}`, p);
  const classes = new Map<string, ServiceClassEntry>();
  for (const c of system.serviceClassData.serviceClasses) {
    const priority = c.priority < 1 || c.priority > LOWEST_PRIORITY ? LOWEST_PRIORITY : c.priority;
    classes.set(c.name, { priority, targets: new Map(c.modelTargets.map((t) => [t.model, t] as const)) });
  }
  const capacity = new Map(system.capacityData.count.map((c) => [c.type, c.count] as const));
  const servers = new Map(system.serverData.servers.map((s) => [s.name, s] as const));
  return {
    accelerators,
    acceleratorNames: [...accelerators.keys()].sort(byName),
    perf: (model, accelerator) => perfs.get(`${model}\u0000${accelerator}`),
    classes,
    capacity,
    servers: [...servers.values()].sort((a, b) => byName(a.name, b.name)),
  };
}

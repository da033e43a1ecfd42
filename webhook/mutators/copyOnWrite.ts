import type { Container, PyTorchJob, ReplicaSpec } from "./shapes.js";

/** Deep copy of a JSON value (plain objects, arrays, scalars); strings are shared, being immutable. */
export function cloneJson<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = cloneJson((value as Record<string, unknown>)[key]);
  return out as T;
}

function thawReplica(replica: ReplicaSpec): ReplicaSpec {
  const podSpec = replica.template.spec;
  return { ...replica, template: { ...replica.template, spec: { ...podSpec, containers: podSpec.containers.map((c) => cloneJson<Container>(c)) } } };
}

/**
 * A copy of `job` that resize may edit without touching the original: new objects along the paths
 * resize writes (spec, replica specs, templates, containers), the rest shared. fast-json-patch's
 * compare skips identical references, so the diff walks only what could have changed — a whole
 * structuredClone plus a full diff was most of the cost of a review.
 */
export function thawPyTorchJob(job: PyTorchJob): PyTorchJob {
  const specs: Record<string, ReplicaSpec> = {};
  for (const [name, replica] of Object.entries(job.spec.pytorchReplicaSpecs)) {
    if (replica) specs[name] = thawReplica(replica);
  }
  return { ...job, spec: { ...job.spec, pytorchReplicaSpecs: specs } };
}

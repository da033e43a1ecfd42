/**
 * Leases as they travel. Times are metav1.MicroTime on the wire: RFC 3339 with exactly six fractional
 * digits, or the API server answers 400. client-node types them as V1MicroTime (whose toISOString adds the
 * digits) but deserialises them as plain strings, and a caller may hand in a plain Date (structurally a
 * V1MicroTime). Both Lease adapters pass leases through `withMicroTimes` on the way in and out, so every
 * time is a V1MicroTime.
 */
import { V1MicroTime, type V1Lease } from "@kubernetes/client-node";
import { KubeApiError } from "./errors.js";

function toMicroTime(value: unknown): V1MicroTime | undefined {
  if (value instanceof V1MicroTime) return value;
  if (value instanceof Date) return new V1MicroTime(value.getTime());
  if (typeof value === "string") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new V1MicroTime(ms);
  }
  return undefined;
}

/** A copy of `lease` whose acquireTime/renewTime are V1MicroTime instances (dropped when unparseable). */
export function withMicroTimes(lease: V1Lease): V1Lease {
  if (lease.spec === undefined) return { ...lease };
  const spec = { ...lease.spec };
  const acquireTime = toMicroTime(spec.acquireTime);
  const renewTime = toMicroTime(spec.renewTime);
  if (acquireTime === undefined) delete spec.acquireTime;
  else spec.acquireTime = acquireTime;
  if (renewTime === undefined) delete spec.renewTime;
  else spec.renewTime = renewTime;
  return { ...lease, spec };
}

/** The body the API expects: kind and apiVersion set, times as MicroTime. */
export function leaseBody(lease: V1Lease): V1Lease {
  return withMicroTimes({ ...lease, apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
}

/** Where a Lease lives; both are required by the URL. */
export function leaseKey(lease: V1Lease): { namespace: string; name: string } {
  const namespace = lease.metadata?.namespace;
  const name = lease.metadata?.name;
  if (!namespace || !name) throw new KubeApiError(400, "BadRequest", "lease: metadata.namespace and metadata.name are required");
  return { namespace, name };
}

/** Leases over client-node: coordination.k8s.io/v1, `/apis/coordination.k8s.io/v1/namespaces/{ns}/leases`. */
import type { CoordinationV1Api, V1Lease } from "@kubernetes/client-node";
import { isNotFound, toKubeError } from "./errors.js";
import { leaseBody, leaseKey, withMicroTimes } from "./leaseWire.js";
import type { Leases } from "./ports.js";

export class KubeLeases implements Leases {
  constructor(private readonly coordination: CoordinationV1Api) {}

  async get(namespace: string, name: string): Promise<V1Lease | undefined> {
    try {
      return withMicroTimes(await this.coordination.readNamespacedLease({ namespace, name }));
    } catch (raw) {
      const err = toKubeError(raw, `GET leases ${namespace}/${name}`);
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async create(lease: V1Lease): Promise<V1Lease> {
    const { namespace, name } = leaseKey(lease);
    try {
      return withMicroTimes(await this.coordination.createNamespacedLease({ namespace, body: leaseBody(lease) }));
    } catch (raw) {
      throw toKubeError(raw, `POST leases ${namespace}/${name}`);
    }
  }

  async replace(lease: V1Lease): Promise<V1Lease> {
    const { namespace, name } = leaseKey(lease);
    try {
      return withMicroTimes(await this.coordination.replaceNamespacedLease({ namespace, name, body: leaseBody(lease) }));
    } catch (raw) {
      throw toKubeError(raw, `PUT leases ${namespace}/${name}`);
    }
  }
}

/**
 * The names a client may use for a Service: the API server calls webhooks at
 * `<svc>.<ns>.svc`; in-cluster callers may use any of the shorter or longer forms.
 */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

/**
 * Field schemas the report's parts share. Patterns are the API server's own (RFC 1123 names) and are
 * written so Go's RE2 reads them the same way, because the CRD carries them too.
 */
import { z } from "zod";

/** metav1.Time on the wire: RFC 3339 with a zone (`2025-03-01T12:00:00Z`). */
export const Rfc3339 = z.iso.datetime({ offset: true });

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Node and pod names: DNS subdomains. */
export const ObjectName = z.string().min(1).max(253).regex(DNS_SUBDOMAIN, "expected a DNS subdomain (lower-case alphanumerics, '-', '.')");
export const NamespaceName = z.string().min(1).max(63).regex(DNS_LABEL, "expected a DNS label (lower-case alphanumerics and '-')");
export const ContainerName = NamespaceName;
/** Pod UID: a UUID from the API server, or a 32-hex config hash for static pods; not checked further. */
export const PodUid = z.string().min(1).max(64);
/**
 * A device id as kubelet's pod-resources API reports it: `GPU-<uuid>`, `MIG-<uuid>` (older drivers
 * `MIG-GPU-<uuid>/<gi>/<ci>`), `<uuid>::<n>` under time-slicing, or an index with index-id plugins.
 */
export const DeviceId = z.string().min(1).max(128);

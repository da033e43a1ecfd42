/**
 * `status.throttles`: cgroup limits the agent has in force, each with the value it found before, so
 * anyone can see what a restore will write back (the agent's own record of it is on the node).
 */
import { z } from "zod";
import { NamespaceName, ObjectName, PodUid, Rfc3339 } from "./fields.js";
import { compositeKey, uniqueBy } from "./listKeys.js";

/** Two files per pod at most; a node of tenants with many bullies stays well under this. */
export const MAX_THROTTLES = 512;

export const ThrottleReport = z.object({
  namespace: NamespaceName,
  pod: ObjectName,
  uid: PodUid,
  file: z.enum(["io.max", "cpu.max"]),
  /** The file under the cgroup root (`kubepods.slice/…/io.max`): the agent's mount of the root differs per node. */
  path: z.string().min(1).max(4096),
  /** The file's content before the agent's first write, byte for byte (`max 100000`; "" for an io.max without limits). */
  original: z.string().max(4096),
  /** The content read back after the agent's last write; null until a write completed. */
  applied: z.string().max(4096).nullable(),
  /** The tenant the throttle protects (its recovery releases it); null for a leftover of an earlier run. */
  victimUid: PodUid.nullable(),
  /** When the agent first wrote the file. */
  since: Rfc3339,
  /** When the agent restores `original` at the latest; null: only when the victim recovers. */
  expiresAt: Rfc3339.nullable(),
});
export type ThrottleReport = z.infer<typeof ThrottleReport>;

export const ThrottleReports = z
  .array(ThrottleReport)
  .max(MAX_THROTTLES)
  .superRefine(uniqueBy<ThrottleReport>("throttle (uid, file, path)", (t) => compositeKey(t.uid, t.file, t.path)));

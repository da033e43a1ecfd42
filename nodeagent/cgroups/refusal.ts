/** Why the agent will not touch a cgroup. Each is logged with its reason and counted by the caller. */
export type RefusalReason =
  /** The host runs cgroup v1 or hybrid: io.max and cpu.max do not exist there. */
  | "cgroup-v1"
  /** The pod UID is not a UID (anything else could smuggle path segments into the path). */
  | "invalid-uid"
  /** No pod cgroup of that UID under the root in either kubelet layout. */
  | "pod-cgroup-missing"
  /** The path resolves (symlinks, `..`) somewhere other than that pod's own kubepods directory. */
  | "outside-pod-tree"
  /** The controller (io, cpu) is not enabled on the pod cgroup, so its file is missing. */
  | "controller-missing"
  /** A device is not written MAJ:MIN, or a value is not a limit the kernel accepts. */
  | "invalid-limit";

export class CgroupRefusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** The path or UID the refusal is about. */
    readonly subject: string,
  ) {
    super(message);
    this.name = "CgroupRefusal";
  }
}

export function isCgroupRefusal(err: unknown, reason?: RefusalReason): err is CgroupRefusal {
  return err instanceof CgroupRefusal && (reason === undefined || err.reason === reason);
}

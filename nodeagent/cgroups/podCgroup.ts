import { lstatSync, realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { CgroupRefusal } from "./refusal.js";

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";
/** The kubelet's `cgroupDriver`; "auto" tries systemd first, then cgroupfs. */
export type CgroupDriver = "systemd" | "cgroupfs" | "auto";

export interface PodRef {
  readonly uid: string;
  readonly qosClass: QosClass;
}

/** A pod cgroup directory that passed every check: absolute real path and the path under the root. */
export interface PodCgroup {
  readonly uid: string;
  readonly dir: string;
  readonly relDir: string;
}

/** API-server pod UIDs are RFC 4122 UUIDs; static pods use a 32-hex config hash. Nothing else. */
const POD_UID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;

function requireUid(uid: string): void {
  if (!POD_UID.test(uid)) throw new CgroupRefusal("invalid-uid", `pod UID ${JSON.stringify(uid)} is not a UID; refusing to build a cgroup path from it`, uid);
}

const QOS_SEGMENT: Record<QosClass, string | undefined> = { Guaranteed: undefined, Burstable: "burstable", BestEffort: "besteffort" };

/**
 * The pod's cgroup directory relative to the cgroup root, as the kubelet names it
 * (CgroupName {"kubepods", qos, "pod"+UID}; no QoS level for Guaranteed). systemd turns each level into
 * a slice whose name repeats its parents' and escapes `-` in the UID as `_`.
 */
export function podCgroupRelDir(uid: string, qos: QosClass, driver: "systemd" | "cgroupfs"): string {
  requireUid(uid);
  const level = QOS_SEGMENT[qos];
  if (driver === "cgroupfs") return level === undefined ? `kubepods/pod${uid}` : `kubepods/${level}/pod${uid}`;
  const escaped = uid.replace(/-/g, "_");
  return level === undefined
    ? `kubepods.slice/kubepods-pod${escaped}.slice`
    : `kubepods.slice/kubepods-${level}.slice/kubepods-${level}-pod${escaped}.slice`;
}

const ALL_QOS: readonly QosClass[] = ["Guaranteed", "Burstable", "BestEffort"];

function candidates(uid: string, qos: QosClass | undefined, driver: CgroupDriver): string[] {
  const drivers: Array<"systemd" | "cgroupfs"> = driver === "auto" ? ["systemd", "cgroupfs"] : [driver];
  const classes = qos === undefined ? ALL_QOS : [qos];
  return drivers.flatMap((d) => classes.map((q) => podCgroupRelDir(uid, q, d)));
}

function realRoot(root: string): string {
  return realpathSync(root);
}

/**
 * Checks one expected directory: it must exist, be a directory, and its real path must be exactly the
 * expected one. Any symlink on the way (a pod slice pointing at another pod or at `system.slice`, a
 * `kubepods.slice` link to elsewhere) changes the real path and is refused.
 */
function verify(rootReal: string, relDir: string, uid: string): PodCgroup | undefined {
  const expected = join(rootReal, relDir);
  let real: string;
  try {
    real = realpathSync(expected);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const back = relative(rootReal, real);
  if (real !== expected || back.startsWith("..") || back.split(sep).includes("..")) {
    throw new CgroupRefusal("outside-pod-tree", `${expected} resolves to ${real}, not to pod ${uid}'s own cgroup; refusing to write there`, expected);
  }
  if (!lstatSync(real).isDirectory()) {
    throw new CgroupRefusal("outside-pod-tree", `${expected} is not a directory`, expected);
  }
  return { uid, dir: real, relDir };
}

/**
 * Finds pod `uid`'s cgroup directory under `root` in the kubelet layout(s) the driver allows. Throws
 * CgroupRefusal: "invalid-uid", "outside-pod-tree" (symlinks, anything not resolving to the pod's own
 * directory) or "pod-cgroup-missing".
 */
export function resolvePodCgroup(root: string, pod: PodRef, driver: CgroupDriver): PodCgroup {
  requireUid(pod.uid);
  const rootReal = realRoot(root);
  for (const rel of candidates(pod.uid, pod.qosClass, driver)) {
    const found = verify(rootReal, rel, pod.uid);
    if (found !== undefined) return found;
  }
  throw new CgroupRefusal("pod-cgroup-missing", `no cgroup for pod ${pod.uid} (${pod.qosClass}) under ${root} with the ${driver} driver`, pod.uid);
}

/**
 * Re-checks a directory recorded earlier (restore after a restart): `relDir` must be one of the forms
 * the kubelet uses for this UID, and still resolve to itself. Undefined when the pod's cgroup is gone.
 */
export function reverifyPodCgroup(root: string, uid: string, relDir: string): PodCgroup | undefined {
  requireUid(uid);
  if (!candidates(uid, undefined, "auto").includes(relDir)) {
    throw new CgroupRefusal("outside-pod-tree", `recorded directory ${relDir} is not a kubepods directory of pod ${uid}`, relDir);
  }
  return verify(realRoot(root), relDir, uid);
}

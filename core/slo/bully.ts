/** What the agent knows about a pod on the node when it looks for a victim's noisy neighbour. */
export interface NeighbourPod {
  readonly uid: string;
  /** The pod allowed us to throttle it (opt-in label); nothing else is ever a target. */
  readonly throttleOptIn: boolean;
  /** The pod has a latency SLO itself: it is protected, never throttled for another tenant. */
  readonly hasSlo: boolean;
  readonly gpus: readonly string[];
  readonly numaNodes: readonly number[];
  /** GPU utilisation attributed to the pod, 0–100 per GPU summed; undefined when unknown. */
  readonly gpuUtilPct?: number;
  /** Block io of the pod cgroup (io.stat delta), read + write bytes per second. */
  readonly ioBytesPerSec?: number;
}

export interface VictimPlacement {
  readonly uid: string;
  readonly gpus: readonly string[];
  readonly numaNodes: readonly number[];
}

export type BullyRelation = "same-gpu" | "same-numa";

export type BullyChoice =
  | { readonly kind: "bully"; readonly uid: string; readonly relation: BullyRelation; readonly gpuUtilPct: number; readonly ioBytesPerSec: number }
  | { readonly kind: "none"; readonly reason: "no-neighbour" | "no-eligible-neighbour" | "idle-neighbours" };

const usage = (p: NeighbourPod): { gpu: number; io: number } => ({ gpu: p.gpuUtilPct ?? 0, io: p.ioBytesPerSec ?? 0 });

/**
 * The neighbour most likely hurting the victim. Pods sharing one of its GPUs come first, ranked by GPU
 * use then io (they compete for the same SMs and memory bandwidth); only when none of those is busy,
 * pods on one of its NUMA nodes, ranked by io then GPU use (they compete for the PCIe root, memory and
 * disks). Only opted-in pods without an SLO of their own; a pod using nothing is never the culprit.
 * Ties go to the lower UID so the choice is stable from one poll to the next.
 */
export function chooseBully(victim: VictimPlacement, pods: readonly NeighbourPod[]): BullyChoice {
  const gpus = new Set(victim.gpus);
  const numa = new Set(victim.numaNodes);
  const sharesGpu = (p: NeighbourPod): boolean => p.gpus.some((g) => gpus.has(g));
  const sharesNuma = (p: NeighbourPod): boolean => p.numaNodes.some((n) => numa.has(n));
  const neighbours = pods.filter((p) => p.uid !== victim.uid && (sharesGpu(p) || sharesNuma(p)));
  if (neighbours.length === 0) return { kind: "none", reason: "no-neighbour" };
  const eligible = neighbours.filter((p) => p.throttleOptIn && !p.hasSlo);
  if (eligible.length === 0) return { kind: "none", reason: "no-eligible-neighbour" };
  const busy = eligible.filter((p) => usage(p).gpu > 0 || usage(p).io > 0);
  const byUid = (a: NeighbourPod, b: NeighbourPod): number => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

  const onGpu = busy.filter(sharesGpu).sort((a, b) => usage(b).gpu - usage(a).gpu || usage(b).io - usage(a).io || byUid(a, b));
  const pick = onGpu[0];
  if (pick !== undefined) return { kind: "bully", uid: pick.uid, relation: "same-gpu", gpuUtilPct: usage(pick).gpu, ioBytesPerSec: usage(pick).io };
  const onNuma = busy.filter(sharesNuma).sort((a, b) => usage(b).io - usage(a).io || usage(b).gpu - usage(a).gpu || byUid(a, b));
  const near = onNuma[0];
  if (near !== undefined) return { kind: "bully", uid: near.uid, relation: "same-numa", gpuUtilPct: usage(near).gpu, ioBytesPerSec: usage(near).io };
  return { kind: "none", reason: "idle-neighbours" };
}

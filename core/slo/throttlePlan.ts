import { chooseBully, type BullyRelation, type NeighbourPod, type VictimPlacement } from "./bully.js";
import type { ThrottlePolicy } from "./throttlePolicy.js";
import { nextCpuQuotaUs, nextIoLimitBytes, type CpuMax } from "./throttleSizing.js";

/** A throttle in force on one pod: the limits we set and when we last changed them. */
export interface PodThrottle {
  readonly uid: string;
  /** The victim it protects; its recovery releases the throttle. */
  readonly victim: string;
  readonly ioBytesPerSec: number | undefined;
  readonly cpuQuotaUs: number | undefined;
  readonly lastChangeMs: number;
}

/** The node's throttling memory: throttles in force and when recent changes happened (for the rate limit). */
export interface ThrottleLedger {
  readonly throttles: Readonly<Record<string, PodThrottle>>;
  readonly changesMs: readonly number[];
}

export const EMPTY_LEDGER: ThrottleLedger = Object.freeze({ throttles: Object.freeze({}), changesMs: Object.freeze([]) as readonly number[] });

export interface TightenRequest {
  readonly victim: VictimPlacement;
  readonly severity: number;
  readonly pods: readonly NeighbourPod[];
  /** The bully's cpu.max as found before we touched it (kubelet's value); absent = do not throttle CPU. */
  readonly originalCpuMax?: (uid: string) => CpuMax | undefined;
  readonly nodeCpuCores: number;
}

export type SkipReason = "no-neighbour" | "no-eligible-neighbour" | "idle-neighbours" | "cooldown" | "rate-limited" | "at-floor";

export type ThrottlePlan =
  | {
      readonly kind: "throttle";
      readonly uid: string;
      readonly relation: BullyRelation;
      readonly ioBytesPerSec: number;
      /** Undefined when the pod's cpu.max was not given (or is already at its floor). */
      readonly cpu: CpuMax | undefined;
    }
  | { readonly kind: "skip"; readonly reason: SkipReason; readonly uid?: string };

function recentChanges(ledger: ThrottleLedger, nowMs: number, p: ThrottlePolicy): number[] {
  return ledger.changesMs.filter((t) => nowMs - t < p.rateWindowMs);
}

/**
 * One Tier 1 step for a violation: pick the bully, then tighten its io.max and cpu.max by one step
 * towards the severity's target, unless the pod was changed less than a cooldown ago, the node used
 * its action budget in the rate window, or both limits already sit at their target or floor.
 * Pure: returns the plan and the ledger as it would be once the plan is carried out.
 */
export function planTighten(req: TightenRequest, ledger: ThrottleLedger, p: ThrottlePolicy, nowMs: number): { plan: ThrottlePlan; ledger: ThrottleLedger } {
  const choice = chooseBully(req.victim, req.pods);
  if (choice.kind === "none") return { plan: { kind: "skip", reason: choice.reason }, ledger };
  const prior = ledger.throttles[choice.uid];
  if (prior !== undefined && nowMs - prior.lastChangeMs < p.cooldownMs) return { plan: { kind: "skip", reason: "cooldown", uid: choice.uid }, ledger };
  const recent = recentChanges(ledger, nowMs, p);
  if (recent.length >= p.maxActionsPerWindow) return { plan: { kind: "skip", reason: "rate-limited", uid: choice.uid }, ledger };

  const io = nextIoLimitBytes(prior?.ioBytesPerSec, req.severity, p);
  const original = req.originalCpuMax?.(choice.uid);
  const quota = original === undefined ? undefined : nextCpuQuotaUs(prior?.cpuQuotaUs, original, req.nodeCpuCores, req.severity, p);
  const cpuBase = original === undefined ? undefined : original.quotaUs === "max" ? Number.POSITIVE_INFINITY : original.quotaUs;
  const ioChanged = io !== prior?.ioBytesPerSec;
  const cpuChanged = quota !== undefined && quota !== (prior?.cpuQuotaUs ?? cpuBase);
  if (!ioChanged && !cpuChanged) return { plan: { kind: "skip", reason: "at-floor", uid: choice.uid }, ledger };

  const cpuQuotaUs = cpuChanged ? quota : prior?.cpuQuotaUs;
  const throttle: PodThrottle = { uid: choice.uid, victim: req.victim.uid, ioBytesPerSec: io, cpuQuotaUs, lastChangeMs: nowMs };
  return {
    plan: {
      kind: "throttle",
      uid: choice.uid,
      relation: choice.relation,
      ioBytesPerSec: io,
      cpu: cpuQuotaUs === undefined || original === undefined ? undefined : { quotaUs: cpuQuotaUs, periodUs: original.periodUs },
    },
    ledger: { throttles: { ...ledger.throttles, [choice.uid]: throttle }, changesMs: [...recent, nowMs] },
  };
}

/**
 * Throttles to undo because their victim recovered (or is gone): the pods to restore and the ledger
 * without them. Restores are not rate-limited: giving a pod its resources back is always safe.
 */
export function planRelease(ledger: ThrottleLedger, victimsDone: ReadonlySet<string>): { restore: string[]; ledger: ThrottleLedger } {
  const restore = Object.values(ledger.throttles).filter((t) => victimsDone.has(t.victim)).map((t) => t.uid).sort();
  if (restore.length === 0) return { restore, ledger };
  const throttles = Object.fromEntries(Object.entries(ledger.throttles).filter(([uid]) => !restore.includes(uid)));
  return { restore, ledger: { throttles, changesMs: ledger.changesMs } };
}

import { z } from "zod";

/**
 * How hard and how often Tier 1 may squeeze a noisy neighbour. The io ceiling is the original's
 * `max_cgroup_io_limit_mbps` (it is the bandwidth the first step halves); the io floor is the lowest
 * limit the original could set with that ceiling (1000 · 0.5 · 0.1 = 50 MiB/s). The CPU floor keeps a
 * throttled pod able to make progress (and above the kernel's 1 ms quota minimum).
 */
export const ThrottlePolicy = z
  .object({
    ioCeilingMiBps: z.number().int().gt(0).default(1000),
    ioFloorMiBps: z.number().int().gt(0).default(50),
    cpuFloorMillicores: z.number().int().min(10).default(250),
    /** Share taken off the current limit per step (0.5 = halve). */
    stepFraction: z.number().gt(0).lt(1).default(0.5),
    /** Least time between two changes to one pod, so each step is seen in the tenant's p99 first. */
    cooldownMs: z.number().int().min(0).default(60_000),
    /** Throttle changes allowed per node within `rateWindowMs`; restores are never limited. */
    maxActionsPerWindow: z.number().int().min(1).default(4),
    rateWindowMs: z.number().int().gt(0).default(60_000),
  })
  .refine((p) => p.ioFloorMiBps <= p.ioCeilingMiBps, { message: "must not exceed ioCeilingMiBps", path: ["ioFloorMiBps"] });
export type ThrottlePolicy = z.infer<typeof ThrottlePolicy>;

export const DEFAULT_THROTTLE_POLICY: Readonly<ThrottlePolicy> = Object.freeze(ThrottlePolicy.parse({}));

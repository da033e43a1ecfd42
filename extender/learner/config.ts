import { z } from "zod";
import type { OptionSpec } from "../../platform/config/options.js";

/**
 * The learner's settings (to sit under `extender.learner`). The period bounds two things: how often
 * co-location is sampled (a neighbour that comes and goes between two polls is missed) and how short a
 * job may be and still be seen running. Training jobs run for minutes to days, so 30 s misses little,
 * and one list of all PyTorchJobs per 30 s is light on the API server.
 */
export const LearnerConfig = z
  .object({
    enabled: z.boolean().default(true),
    periodMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
  })
  .prefault({});
export type LearnerConfig = z.infer<typeof LearnerConfig>;
export type LearnerConfigInput = z.input<typeof LearnerConfig>;

export const learnerOptions: readonly OptionSpec[] = [
  { flag: "learner", path: "extender.learner.enabled", kind: "boolean", help: "learn runtimes from finished PyTorchJobs (leader only, cluster mode)", defaultText: "true" },
  { flag: "learner-period-ms", path: "extender.learner.periodMs", kind: "integer", help: "time between the learner's polls of PyTorchJobs", defaultText: "30000" },
];

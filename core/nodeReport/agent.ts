/** `status.agent`: who wrote the report, how it runs, and when it last did (the heartbeat). */
import { z } from "zod";
import { Rfc3339 } from "./fields.js";

/** Problems are for a human reading `kubectl get -o yaml`: the first few say enough. */
export const MAX_PROBLEMS = 32;
export const MAX_PROBLEM_CHARS = 512;

export const AgentStatus = z.object({
  version: z.string().min(1).max(64),
  /** Dry-run agents log what they would throttle or reconfigure and change nothing. */
  dryRun: z.boolean(),
  /** When this report was written; readers call the node stale after a few missed polls. */
  heartbeat: Rfc3339,
  pollIntervalSeconds: z.number().positive().max(3600),
  /** What the agent could not do this poll (`nvidia-smi timed out after 10 s`), newest first. */
  problems: z.array(z.string().min(1).max(MAX_PROBLEM_CHARS)).max(MAX_PROBLEMS),
});
export type AgentStatus = z.infer<typeof AgentStatus>;

/** Polls a reader lets pass before it calls a report stale: one late write is not a dead agent. */
export const DEFAULT_MISSED_POLLS = 3;

/** Whether the heartbeat is older than `missedPolls` poll intervals at `nowMs`. */
export function isStale(agent: Pick<AgentStatus, "heartbeat" | "pollIntervalSeconds">, nowMs: number, missedPolls = DEFAULT_MISSED_POLLS): boolean {
  return nowMs - Date.parse(agent.heartbeat) > missedPolls * agent.pollIntervalSeconds * 1000;
}

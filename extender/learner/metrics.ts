import { Counter, Gauge, type Registry } from "prom-client";
import { FAILED_RUN_REASONS, SKIP_REASONS, type FailedRunReason, type SkipReason } from "../../core/learning/index.js";

/**
 * What the learner did with one finished run, counted once per job (a decided run is never looked at
 * again). `rejected`: the model refused the observation (ScoringInputError). `unreadable`: a listed
 * object without uid, namespace or name; it has no row to remember, so it is counted on every poll.
 */
export type LearnerOutcome =
  | { outcome: "observed"; reason: "solo" | "colocated" }
  | { outcome: "failed-run"; reason: FailedRunReason }
  | { outcome: "skipped"; reason: SkipReason | "rejected" | "unreadable" };

export type LearnerOperation = "list" | "observe" | "store";

const OUTCOMES: readonly LearnerOutcome[] = [
  { outcome: "observed", reason: "solo" },
  { outcome: "observed", reason: "colocated" },
  ...FAILED_RUN_REASONS.map((reason) => ({ outcome: "failed-run" as const, reason })),
  ...[...SKIP_REASONS, "rejected" as const, "unreadable" as const].map((reason) => ({ outcome: "skipped" as const, reason })),
];

/** Learner series. Labels are closed sets; job names, uids and job types are never labels. */
export class LearnerMetrics {
  readonly runs: Counter<"outcome" | "reason">;
  readonly errors: Counter<"operation">;
  readonly lastPoll: Gauge;
  readonly trackedRuns: Gauge;

  constructor(registry: Registry) {
    this.runs = new Counter({
      name: "gpu_steward_learner_runs_total",
      help:
        "Finished PyTorchJob runs by what the learner made of them. outcome=observed (reason=solo|colocated), " +
        `failed-run (reason=${FAILED_RUN_REASONS.join("|")}), skipped (reason=${[...SKIP_REASONS, "rejected", "unreadable"].join("|")})`,
      labelNames: ["outcome", "reason"],
      registers: [registry],
    });
    this.errors = new Counter({
      name: "gpu_steward_learner_errors_total",
      help: "Learner failures, retried on the next poll. operation=list|observe|store",
      labelNames: ["operation"],
      registers: [registry],
    });
    this.lastPoll = new Gauge({
      name: "gpu_steward_learner_last_poll_timestamp_seconds",
      help: "When the learner last listed PyTorchJobs successfully (Unix seconds); stale on a follower or when listing fails.",
      registers: [registry],
    });
    this.trackedRuns = new Gauge({
      name: "gpu_steward_learner_tracked_runs",
      help: "PyTorchJobs the learner remembers (sampled or decided); bounded by the jobs listed.",
      registers: [registry],
    });
    // Every series exists from the start, so a rate over a fresh process reads 0 rather than nothing.
    for (const o of OUTCOMES) this.runs.labels(o.outcome, o.reason).inc(0);
    for (const op of ["list", "observe", "store"] as const) this.errors.labels(op).inc(0);
  }

  count(o: LearnerOutcome): void {
    this.runs.labels(o.outcome, o.reason).inc();
  }
}

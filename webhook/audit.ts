/**
 * The audit behind "why did my job get 4 GPUs?": one row per review that decided something about a
 * job (sized, no recommendation, unreadable, gated), in the `admission_decisions` table. Queued on
 * the request path and written in one transaction per interval, so no review waits for an fsync; the
 * last interval's rows can be lost in a crash (the log line and the job's annotation remain).
 */
import type { Logger } from "../platform/log.js";
import type { AdmissionDecision, AdmissionDecisions } from "../platform/store/index.js";
import type { Decision } from "./admit.js";

export class AdmissionAudit {
  private queue: AdmissionDecision[] = [];
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly table: AdmissionDecisions,
    private readonly log: Logger,
    private readonly opts: { keep: number; flushIntervalMs?: number; timer?: boolean },
  ) {
    if (opts.timer !== false) {
      this.timer = setInterval(() => this.flush(), opts.flushIntervalMs ?? 1_000);
      this.timer.unref();
    }
  }

  /** Queues the review's row when the decision is about a job (it has a log line naming one). */
  note(decision: Decision, uid: string, nowMs: number): void {
    const fields = decision.log?.fields;
    if (!fields) return;
    const text = (k: string) => (typeof fields[k] === "string" ? (fields[k] as string) : null);
    const count = (k: string) => (typeof fields[k] === "number" ? (fields[k] as number) : null);
    this.queue.push({
      uid,
      namespace: text("namespace") ?? "",
      name: text("name") ?? "",
      kind: decision.kind,
      recommender: text("recommender"),
      outcome: text("result") ?? decision.result,
      gpus: count("gpus"),
      workers: count("workers"),
      reason: text("reason"),
      createdMs: nowMs,
    });
  }

  /** Writes what is queued. Never throws: an audit failure is logged, the reviews went through. */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.table.insertBatch(batch, this.opts.keep);
    } catch (err) {
      this.log.warn({ err, rows: batch.length }, "admission audit rows not written");
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }
}

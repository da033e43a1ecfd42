import { Counter, Histogram, type Registry } from "prom-client";

/** Outcome of one AdmissionReview, a closed set. */
export type ReviewResult = "patched" | "no-recommendation" | "unchanged" | "skipped" | "unreadable" | "invalid" | "error";

/** Webhook series. Labels are closed sets; no job, namespace or uid names. */
export class WebhookMetrics {
  readonly reviews: Counter<"kind" | "operation" | "result">;
  readonly reviewDuration: Histogram<"kind" | "result">;
  readonly recommendations: Counter<"recommender" | "outcome">;
  readonly fallbacks: Counter<"from" | "to">;
  readonly decisionMemo: Counter<"outcome">;

  constructor(registry: Registry) {
    this.reviews = new Counter({
      name: "gpu_steward_webhook_reviews_total",
      help: "AdmissionReviews answered. kind=PyTorchJob|AppWrapper|other; operation=CREATE|UPDATE|DELETE|CONNECT|unknown; result=patched|no-recommendation|unchanged|skipped|unreadable|invalid|error",
      labelNames: ["kind", "operation", "result"],
      registers: [registry],
    });
    this.reviewDuration = new Histogram({
      name: "gpu_steward_webhook_review_duration_seconds",
      help: "Time from request body received to response written. kind=PyTorchJob|AppWrapper|other; result as in gpu_steward_webhook_reviews_total",
      labelNames: ["kind", "result"],
      // Admission must answer well inside the apiserver's timeoutSeconds (≤ 5 s in our chart).
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.recommendations = new Counter({
      name: "gpu_steward_webhook_recommendations_total",
      help: "Sizing answers. recommender=embedded|ado; outcome=ok|no-fit|unknown-model|unknown-gpu|invalid-inputs|recommender-unavailable",
      labelNames: ["recommender", "outcome"],
      registers: [registry],
    });
    this.fallbacks = new Counter({
      name: "gpu_steward_webhook_recommender_fallbacks_total",
      help: "Answers taken from another recommender because the configured one failed. from=ado; to=embedded",
      labelNames: ["from", "to"],
      registers: [registry],
    });
    this.decisionMemo = new Counter({
      name: "gpu_steward_webhook_decision_memo_total",
      help: "Reviews by decision memo outcome. outcome=hit (answered from a remembered decision)|miss (decided; remembered once seen twice)|bypass (decided, not rememberable: not in the apiserver's canonical form, or not repeatable)",
      labelNames: ["outcome"],
      registers: [registry],
    });
  }
}

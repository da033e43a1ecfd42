/**
 * One error type with a code from a closed set. Each code has an entry in docs/errors.md; a test
 * checks the list and the document against each other.
 */
export const ERROR_CODES = [
  "CONFIG_INVALID",
  "USAGE",
  "TLS_MATERIAL",
  "LISTEN_FAILED",
  "STORE_MIGRATION",
  "REVIEW_INVALID",
  "REVIEW_TOO_LARGE",
  "JOB_UNREADABLE",
  "RECOMMENDER_UNAVAILABLE",
  "KUBE_API",
  "SPEND_SOURCE",
  "SPEND_STATUS_UNAVAILABLE",
  "PROMETHEUS_QUERY",
  "AUTOSCALER_CYCLE",
  "POD_RESOURCES_UNAVAILABLE",
  "SCORING_INPUT_INVALID",
  "SCORING_NOT_LEADER",
  "SHARED_STATE",
  "EXTENDER_ARGS_INVALID",
  "EXTENDER_ARGS_TOO_LARGE",
  "EXTENDER_INTERNAL",
  "DECISION_NOT_FOUND",
  "NOT_FOUND",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class StewardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The field, flag or path the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "StewardError";
  }
}

export function isStewardError(err: unknown, code?: ErrorCode): err is StewardError {
  return err instanceof StewardError && (code === undefined || err.code === code);
}

/**
 * Typed Kubernetes API errors. Both adapters throw these, so callers branch on a class (or `statusCode`)
 * instead of parsing client-node's ApiException text. All are StewardErrors with code `KUBE_API`
 * (a bad kubeconfig: `CONFIG_INVALID`); reasons follow metav1.StatusReason.
 */
import type { ApiException } from "@kubernetes/client-node";
import { StewardError } from "../errors.js";

export type StatusReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Expired"
  | "Gone"
  | "Invalid"
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "UnsupportedMediaType"
  | "InternalError"
  | "Unknown";

export class KubeApiError extends StewardError {
  override readonly name: string = "KubeApiError";
  constructor(
    /** HTTP status; 0 when no response came back (connection refused, timeout). */
    readonly statusCode: number,
    readonly reason: StatusReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("KUBE_API", message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export class NotFoundError extends KubeApiError {
  override readonly name = "NotFoundError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(404, "NotFound", message, options);
  }
}

/** 409: a stale resourceVersion (`Conflict`) or a create of an existing name (`AlreadyExists`). */
export class ConflictError extends KubeApiError {
  override readonly name = "ConflictError";
  constructor(reason: "Conflict" | "AlreadyExists", message: string, options?: { cause?: unknown }) {
    super(409, reason, message, options);
  }
}

/**
 * 410: the resourceVersion a watch (or a list's continue token) starts from is older than what the
 * server still keeps. The informer rule: forget the resourceVersion and list again.
 */
export class GoneError extends KubeApiError {
  override readonly name = "GoneError";
  constructor(reason: "Expired" | "Gone", message: string, options?: { cause?: unknown }) {
    super(410, reason, message, options);
  }
}

/** 422: the request was understood but rejected, e.g. a JSON patch `test` op that failed. */
export class InvalidError extends KubeApiError {
  override readonly name = "InvalidError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(422, "Invalid", message, options);
  }
}

/** The kubeconfig could not be loaded (missing file, no current cluster). */
export class KubeConfigError extends StewardError {
  override readonly name = "KubeConfigError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("CONFIG_INVALID", message, "kubeconfig");
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function isNotFound(err: unknown): err is NotFoundError {
  return err instanceof KubeApiError && err.statusCode === 404;
}

export function isGone(err: unknown): err is GoneError {
  return err instanceof KubeApiError && err.statusCode === 410;
}

export function isConflict(err: unknown): err is ConflictError {
  return err instanceof KubeApiError && err.statusCode === 409;
}

const reasonsByStatus: Record<number, StatusReason> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  500: "InternalError",
};

/** The metav1.Status the API server sends with every error, as far as we read it. */
interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(body: unknown): StatusBody {
  // client-node hands error bodies over as the raw response text.
  let parsed: unknown = body;
  if (typeof body === "string") {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const { message, reason } = parsed as Record<string, unknown>;
  return {
    ...(typeof message === "string" ? { message } : {}),
    ...(typeof reason === "string" ? { reason } : {}),
  };
}

/** Maps a status code and Status reason to the typed error; `what` names the call (`PATCH pytorchjobs team-a/job-1`). */
export function kubeErrorFor(statusCode: number, reason: string | undefined, what: string, detail: string, cause?: unknown): KubeApiError {
  const message = `${what}: ${detail}`;
  const options = cause === undefined ? undefined : { cause };
  if (statusCode === 404) return new NotFoundError(message, options);
  if (statusCode === 409) return new ConflictError(reason === "AlreadyExists" ? "AlreadyExists" : "Conflict", message, options);
  if (statusCode === 410) return new GoneError(reason === "Gone" ? "Gone" : "Expired", message, options);
  if (statusCode === 422) return new InvalidError(message, options);
  return new KubeApiError(statusCode, reasonsByStatus[statusCode] ?? "Unknown", message, options);
}

/**
 * client-node's ApiException, recognised by shape (a numeric `code`, `body` and `headers`): an
 * `instanceof` would make this module, which every adapter and the node agent load, import client-node
 * at runtime (~70 MiB of RSS).
 */
function isApiException(err: unknown): err is ApiException<unknown> {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "number" && "body" in err && "headers" in err;
}

/** Converts whatever client-node threw into a KubeApiError; an already typed error passes through. */
export function toKubeError(err: unknown, what: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (isApiException(err)) {
    const status = statusBody(err.body);
    return kubeErrorFor(err.code, status.reason, what, status.message ?? `HTTP ${err.code}`, err);
  }
  // No response at all: DNS, connection refused, TLS, timeout.
  const detail = err instanceof Error ? err.message : String(err);
  return new KubeApiError(0, "Unknown", `${what}: ${detail}`, { cause: err });
}

/** The metav1.Status of a watch ERROR event as a typed error (410 becomes GoneError); both watch adapters use it. */
export function errorEventToKubeError(status: unknown, what: string): KubeApiError {
  const s = typeof status === "object" && status !== null && !Array.isArray(status) ? (status as Record<string, unknown>) : {};
  const code = typeof s["code"] === "number" && s["code"] >= 400 ? s["code"] : 500;
  const reason = typeof s["reason"] === "string" ? s["reason"] : undefined;
  const message = typeof s["message"] === "string" ? s["message"] : `watch ERROR event ${JSON.stringify(status)}`;
  return kubeErrorFor(code, reason, what, message);
}

import { StewardError } from "../../platform/errors.js";

/**
 * Why the kubelet's pod-resources List gave no answer:
 * - `no-socket`: no file at the socket path (ENOENT): the hostPath is not mounted, or `--host-root` is wrong;
 * - `not-a-socket`: something other than a unix socket is there (a directory or file where the mount went wrong);
 * - `permission-denied`: connecting was refused by file permissions (EACCES): the agent does not run as root;
 * - `refused`: nothing listens on the socket (ECONNREFUSED): the kubelet is down or restarting;
 * - `connection-lost`: the connection closed before the answer (kubelet restart mid-call);
 * - `deadline`: no answer within the deadline (a wedged kubelet);
 * - `unimplemented`: the server does not serve `v1.PodResourcesLister/List` (kubelet older than 1.20, or another gRPC server);
 * - `malformed`: the answer is not a `ListPodResourcesResponse`;
 * - `rpc-failed`: any other gRPC status (the kubelet rate-limits this API: RESOURCE_EXHAUSTED).
 */
export type PodResourcesFailure =
  | "no-socket"
  | "not-a-socket"
  | "permission-denied"
  | "refused"
  | "connection-lost"
  | "deadline"
  | "unimplemented"
  | "malformed"
  | "rpc-failed";

/**
 * The one error of the pod-resources client (`POD_RESOURCES_UNAVAILABLE`). The message names the socket
 * and what failed, so the agent logs one line and counts `failure` in a metric; it never crashes on it.
 */
export class PodResourcesError extends StewardError {
  constructor(
    readonly failure: PodResourcesFailure,
    readonly socketPath: string,
    /** What went wrong, without the socket path (`connection refused (ECONNREFUSED): …`). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super("POD_RESOURCES_UNAVAILABLE", `kubelet pod-resources at ${socketPath}: ${detail}`, socketPath);
    this.name = "PodResourcesError";
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export function isPodResourcesError(err: unknown, failure?: PodResourcesFailure): err is PodResourcesError {
  return err instanceof PodResourcesError && (failure === undefined || err.failure === failure);
}

import { type ServiceError, status } from "@grpc/grpc-js";
import type { PodResourcesFailure } from "./errors.js";

/**
 * grpc-js reports a connection it could not open as UNAVAILABLE whose details start with this and end
 * with the socket error (`…Last error: Error: connect ECONNREFUSED /path…`); any other UNAVAILABLE is a
 * connection that was open and then dropped.
 */
const NOT_CONNECTED = "No connection established";
/** What grpc-js puts in an INTERNAL status when the client could not decode the answer. */
const PARSE_ERROR = "Response message parsing error";

/**
 * Sorts a failed List call by what an operator has to do about it. `timeoutMs` is the deadline the
 * call ran under, for the message.
 */
export function statusFailure(err: ServiceError, timeoutMs: number): [PodResourcesFailure, string] {
  const said = `${status[err.code] ?? err.code}: ${err.details}`;
  switch (err.code) {
    case status.DEADLINE_EXCEEDED:
      return ["deadline", `no answer to List within ${timeoutMs} ms`];
    case status.UNIMPLEMENTED:
      return ["unimplemented", `the server does not serve v1.PodResourcesLister/List (needs a kubelet ≥ 1.20; is this the kubelet's socket?): ${said}`];
    case status.CANCELLED:
      // The client never cancels its own call, so the other end closed it.
      return ["connection-lost", `the server closed the call before answering: ${said}`];
    case status.INTERNAL:
      if (err.details.startsWith(PARSE_ERROR)) return ["malformed", `the answer is not a ListPodResourcesResponse: ${err.details}`];
      break;
    case status.UNAVAILABLE:
      if (!err.details.startsWith(NOT_CONNECTED)) return ["connection-lost", `the connection closed before the answer: ${said}`];
      if (/\bENOENT\b/.test(err.details)) return ["no-socket", `no socket file (ENOENT): ${said}`];
      if (/\b(EACCES|EPERM)\b/.test(err.details)) return ["permission-denied", `not permitted to connect (the agent must run as root): ${said}`];
      if (/\bECONNREFUSED\b/.test(err.details)) return ["refused", `connection refused (ECONNREFUSED): nothing listens, the kubelet is down or restarting: ${said}`];
      return ["connection-lost", `could not establish a connection: ${said}`];
  }
  return ["rpc-failed", `List failed: ${said}`];
}

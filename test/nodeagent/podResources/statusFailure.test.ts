import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { statusFailure } from "../../../nodeagent/podResources/statusFailure.js";

const serviceError = (code: status, details: string): ServiceError =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

// Details as grpc-js 1.14 writes them (captured against unix sockets in a temp dir).
const notConnected = (last: string) => `No connection established. Last error: ${last}. Resolution note: `;

describe("statusFailure", () => {
  it.each([
    { code: status.UNAVAILABLE, details: notConnected("Error: connect ENOENT /run/k.sock"), want: "no-socket" },
    { code: status.UNAVAILABLE, details: notConnected("Error: connect EACCES /run/k.sock"), want: "permission-denied" },
    { code: status.UNAVAILABLE, details: notConnected("Error: connect ECONNREFUSED /run/k.sock"), want: "refused" },
    { code: status.UNAVAILABLE, details: notConnected("Failed to connect (2026-11-23T17:55:44.687Z)"), want: "connection-lost" },
    { code: status.UNAVAILABLE, details: "Connection dropped", want: "connection-lost" },
    { code: status.CANCELLED, details: "Call cancelled", want: "connection-lost" },
    { code: status.DEADLINE_EXCEEDED, details: "Deadline exceeded after 5.001s,LB pick: 0.001s", want: "deadline" },
    { code: status.UNIMPLEMENTED, details: "", want: "unimplemented" },
    { code: status.INTERNAL, details: "Response message parsing error: index out of range: 7 + 10 > 7", want: "malformed" },
    { code: status.INTERNAL, details: "stream terminated by RST_STREAM with error code: PROTOCOL_ERROR", want: "rpc-failed" },
    { code: status.RESOURCE_EXHAUSTED, details: "rejected by rate limit", want: "rpc-failed" },
    { code: status.PERMISSION_DENIED, details: "denied", want: "rpc-failed" },
  ])("$code $details → $want", ({ code, details, want }) => {
    expect(statusFailure(serviceError(code, details), 5000)[0]).toBe(want);
  });

  it("says the deadline it ran under, not grpc-js's timing breakdown", () => {
    expect(statusFailure(serviceError(status.DEADLINE_EXCEEDED, "Deadline exceeded after 1.2s"), 1200)).toEqual(["deadline", "no answer to List within 1200 ms"]);
  });

  it("keeps the status name and details of any other failure", () => {
    expect(statusFailure(serviceError(status.PERMISSION_DENIED, "denied"), 5000)).toEqual(["rpc-failed", "List failed: PERMISSION_DENIED: denied"]);
  });
});

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { type sendUnaryData, status } from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { isStewardError } from "../../../platform/errors.js";
import { isPodResourcesError, PodResourcesClient, PodResourcesError } from "../../../nodeagent/podResources/index.js";
import { type FakeKubelet, fakeKubelet, rawKubelet, tempSocketDir } from "./fakeKubelet.js";
import { XD670_PODS } from "./nodeLists.js";

/** Far below the 5 s default, and only used where the other end never answers: no race with a real answer. */
const SHORT_DEADLINE_MS = 300;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function track(k: FakeKubelet): FakeKubelet {
  cleanups.push(() => k.remove());
  return k;
}
function tempDir(): string {
  const dir = tempSocketDir();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

async function failureOf(p: Promise<unknown>): Promise<PodResourcesError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PodResourcesError) return err;
    throw err;
  }
  throw new Error("expected a PodResourcesError");
}

describe("PodResourcesClient failures: one PodResourcesError each, naming the socket", () => {
  it("no socket file (ENOENT): the hostPath is not mounted", async () => {
    const socketPath = path.join(tempDir(), "kubelet.sock");
    const err = await failureOf(new PodResourcesClient({ socketPath }).list());
    expect(err).toMatchObject({ code: "POD_RESOURCES_UNAVAILABLE", failure: "no-socket", socketPath, field: socketPath });
    expect(err.message).toBe(`kubelet pod-resources at ${socketPath}: no socket file (ENOENT): is the hostPath /var/lib/kubelet/pod-resources mounted, under --host-root?`);
    expect(isStewardError(err, "POD_RESOURCES_UNAVAILABLE")).toBe(true);
    expect(isPodResourcesError(err, "no-socket")).toBe(true);
  });

  it("a directory where the socket should be is not-a-socket", async () => {
    const socketPath = path.join(tempDir(), "kubelet.sock");
    mkdirSync(socketPath);
    const err = await failureOf(new PodResourcesClient({ socketPath }).list());
    expect([err.failure, err.message]).toEqual(["not-a-socket", `kubelet pod-resources at ${socketPath}: not a unix socket (a directory)`]);
  });

  it("a socket left by a kubelet that died is refused (ECONNREFUSED)", async () => {
    const socketPath = path.join(tempDir(), "kubelet.sock");
    // A process that binds and is SIGKILLed leaves its socket file behind, as a crashed kubelet does.
    const child = spawnSync(process.execPath, ["-e", "require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'))", socketPath]);
    expect(child.signal).toBe("SIGKILL");
    const err = await failureOf(new PodResourcesClient({ socketPath }).list());
    expect(err.failure).toBe("refused");
    expect(err.message).toMatch(new RegExp(`^${literally(`kubelet pod-resources at ${socketPath}: connection refused (ECONNREFUSED): nothing listens, the kubelet is down or restarting: UNAVAILABLE: No connection established.`)}`));
  });

  it("a server that never answers List runs into the deadline", async () => {
    const held: sendUnaryData<object>[] = [];
    const kubelet = track(await fakeKubelet((callback) => held.push(callback)));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath, timeoutMs: SHORT_DEADLINE_MS }).list());
    expect([err.failure, err.message]).toEqual(["deadline", `kubelet pod-resources at ${kubelet.socketPath}: no answer to List within 300 ms`]);
    expect(held).toHaveLength(1);
  });

  it("a socket that accepts but never speaks HTTP/2 (a wedged kubelet) runs into the deadline", async () => {
    const dir = tempDir();
    const socketPath = path.join(dir, "kubelet.sock");
    const accepted: net.Socket[] = [];
    const silent = net.createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    cleanups.unshift(() => {
      for (const s of accepted) s.destroy();
      silent.close();
    });
    const err = await failureOf(new PodResourcesClient({ socketPath, timeoutMs: SHORT_DEADLINE_MS }).list());
    expect(err.failure).toBe("deadline");
    expect(accepted).toHaveLength(1);
  });

  it("a server answering UNIMPLEMENTED", async () => {
    const kubelet = track(await fakeKubelet((callback) => callback({ code: status.UNIMPLEMENTED, details: "unknown method List" })));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    expect([err.failure, err.message]).toEqual([
      "unimplemented",
      `kubelet pod-resources at ${kubelet.socketPath}: the server does not serve v1.PodResourcesLister/List (needs a kubelet ≥ 1.20; is this the kubelet's socket?): UNIMPLEMENTED: unknown method List`,
    ]);
  });

  it("a kubelet serving only v1alpha1 (before 1.20) is unimplemented too", async () => {
    const kubelet = track(await rawKubelet("/v1alpha1.PodResourcesLister/List", Buffer.alloc(0)));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    expect(err.failure).toBe("unimplemented");
    expect(kubelet.listCalls()).toBe(0);
  });

  it("the server closing mid-call is connection-lost", async () => {
    let arrived!: () => void;
    const callArrived = new Promise<void>((resolve) => (arrived = resolve));
    const kubelet = track(await fakeKubelet(() => arrived()));
    const pending = failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    await callArrived;
    kubelet.kill();
    const err = await pending;
    expect(err.failure).toBe("connection-lost");
    expect(err.message).toBe(`kubelet pod-resources at ${kubelet.socketPath}: the server closed the call before answering: CANCELLED: Call cancelled`);
  });

  it("an answer that does not decode as ListPodResourcesResponse is malformed", async () => {
    // Field 1 (pod_resources), length 5, then bytes that are no PodResources message.
    const kubelet = track(await rawKubelet("/v1.PodResourcesLister/List", Buffer.from([0x0a, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff])));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    expect(err.failure).toBe("malformed");
    expect(err.message).toMatch(new RegExp(`^${literally(`kubelet pod-resources at ${kubelet.socketPath}: the answer is not a ListPodResourcesResponse: Response message parsing error: `)}`));
  });

  it("the kubelet's rate limit (RESOURCE_EXHAUSTED) is rpc-failed with the status", async () => {
    const kubelet = track(await fakeKubelet((callback) => callback({ code: status.RESOURCE_EXHAUSTED, details: "rejected by rate limit" })));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    expect([err.failure, err.detail]).toEqual(["rpc-failed", "List failed: RESOURCE_EXHAUSTED: rejected by rate limit"]);
  });

  it("an answer over maxResponseBytes is refused by the client (rpc-failed)", async () => {
    const kubelet = track(await fakeKubelet((callback) => callback(null, { pod_resources: XD670_PODS })));
    const err = await failureOf(new PodResourcesClient({ socketPath: kubelet.socketPath, maxResponseBytes: 256 }).list());
    expect(err.failure).toBe("rpc-failed");
    expect(err.detail).toMatch(/^List failed: RESOURCE_EXHAUSTED: Received message larger than max \(\d+ vs 256\)/);
  });
});

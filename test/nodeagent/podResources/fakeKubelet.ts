import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type sendUnaryData, Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { POD_RESOURCES_PROTO } from "../../../nodeagent/podResources/index.js";

/**
 * The kubelet's pod-resources server, for tests: a grpc-js Server on a unix socket in a temp dir,
 * serving the agent's own podresources_v1.proto (so a field-number mistake there would not show here:
 * the .proto's header says where its numbers come from). Not simulated: the kubelet's rate limit
 * (tests send its RESOURCE_EXHAUSTED by hand), GetAllocatableResources and Get (answer empty).
 */
export interface FakeKubelet {
  readonly dir: string;
  readonly socketPath: string;
  /** How many List calls arrived. */
  listCalls(): number;
  /** Drops every connection at once, as a kubelet that exits does. */
  kill(): void;
  /** Stops the server and removes the temp dir. */
  remove(): void;
}

/** What the fake does with one List call: answer with `callback(null, response)` or a status, or keep it. */
export type ListHandler = (callback: sendUnaryData<object>) => void;

const definition = loadSync(POD_RESOURCES_PROTO, { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true });
const v1Service = definition["v1.PodResourcesLister"] as ServiceDefinition;

export function tempSocketDir(): string {
  return mkdtempSync(path.join(tmpdir(), "podres-"));
}

/** A v1 server whose List runs `list`; the wire objects use the .proto's field names (`pod_resources`). */
export function fakeKubelet(list: ListHandler, dir = tempSocketDir()): Promise<FakeKubelet> {
  return serve(dir, v1Service, {
    List: (_call: unknown, callback: sendUnaryData<object>) => list(callback),
    GetAllocatableResources: (_call: unknown, callback: sendUnaryData<object>) => callback(null, {}),
    Get: (_call: unknown, callback: sendUnaryData<object>) => callback(null, {}),
  });
}

/** A server that answers `path` with these bytes as they are, whatever the .proto says. */
export function rawKubelet(methodPath: string, answer: Buffer, dir = tempSocketDir()): Promise<FakeKubelet> {
  const identity = (b: Buffer) => b;
  const service: ServiceDefinition = {
    List: { path: methodPath, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
  };
  return serve(dir, service, { List: (_call: unknown, callback: sendUnaryData<Buffer>) => callback(null, answer) });
}

async function serve(dir: string, service: ServiceDefinition, handlers: UntypedServiceImplementation): Promise<FakeKubelet> {
  const server = new Server();
  let calls = 0;
  const counted = Object.fromEntries(
    Object.entries(handlers).map(([name, h]) => [
      name,
      (...args: unknown[]) => {
        if (name === "List") calls += 1;
        return (h as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  );
  server.addService(service, counted);
  const socketPath = path.join(dir, "kubelet.sock");
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socketPath}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return {
    dir,
    socketPath,
    listCalls: () => calls,
    kill: () => server.forceShutdown(),
    remove: () => {
      server.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { stat } from "node:fs/promises";
import { Client, credentials, Metadata, type MethodDefinition, type ServiceError } from "@grpc/grpc-js";
import type { PodDevices } from "../../core/gpu/gpuHolders.js";
import { PodResourcesError } from "./errors.js";
import { podDevicesFromList } from "./listResponse.js";
import { loadListMethod } from "./protoFile.js";
import { statusFailure } from "./statusFailure.js";

/** k8s.io/kubelet `podresources/v1` `PodResourcesSocket`; the agent puts it under `--host-root`. */
export const DEFAULT_POD_RESOURCES_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

/**
 * The kubelet answers List from memory, in milliseconds; 5 s is far beyond a healthy answer and still
 * well inside an agent cycle, so a wedged kubelet costs one cycle's reading, not the agent.
 */
export const DEFAULT_POD_RESOURCES_TIMEOUT_MS = 5_000;

/**
 * grpc-js refuses answers over 4 MiB by default. The kubelet's own clients and its node e2e tests
 * allow 16 MiB (`defaultPodResourcesMaxSize`); a List entry is ~200 B per container plus ~40 B per
 * device or CPU id, so 16 MiB covers any pod count a node can run.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface PodResourcesClientOptions {
  /** Full path of the kubelet's socket, host root included (`/host/var/lib/kubelet/pod-resources/kubelet.sock`). */
  readonly socketPath?: string;
  readonly timeoutMs?: number;
  readonly maxResponseBytes?: number;
}

/**
 * Reads the kubelet's pod-resources List over its unix socket: which container holds which device.
 * Each call opens its own connection and closes it after the answer: the agent asks once a cycle, a
 * unix-socket connect costs microseconds, and a fresh channel means no reconnect backoff from a kubelet
 * restart carries into the next cycle. Every failure is a `PodResourcesError`; nothing else is thrown.
 */
export class PodResourcesClient {
  readonly socketPath: string;
  readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly listMethod: MethodDefinition<object, object>;

  constructor(options: PodResourcesClientOptions = {}) {
    this.socketPath = options.socketPath ?? DEFAULT_POD_RESOURCES_SOCKET;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_POD_RESOURCES_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.listMethod = loadListMethod();
  }

  /** Every pod the kubelet tracks, with its containers' devices (empty for pods holding none). */
  async list(): Promise<PodDevices[]> {
    await this.checkSocket();
    const client = new Client(`unix:${this.socketPath}`, credentials.createInsecure(), {
      "grpc.max_receive_message_length": this.maxResponseBytes,
    });
    const method = this.listMethod;
    try {
      return await new Promise<PodDevices[]>((resolve, reject) => {
        client.makeUnaryRequest<object, PodDevices[]>(
          method.path,
          method.requestSerialize,
          // A decoded answer of the wrong shape throws here; grpc-js reports it as a parsing error.
          (bytes) => podDevicesFromList(method.responseDeserialize(bytes)),
          {},
          new Metadata(),
          { deadline: Date.now() + this.timeoutMs },
          (err: ServiceError | null, pods?: PodDevices[]) => {
            if (err) {
              const [failure, detail] = statusFailure(err, this.timeoutMs);
              reject(new PodResourcesError(failure, this.socketPath, detail, { cause: err }));
            } else resolve(pods ?? []);
          },
        );
      });
    } finally {
      client.close();
    }
  }

  /**
   * A missing or wrong file says more than grpc-js's connect error, and saves starting a channel that
   * cannot connect. The connect error is still classified: the socket can vanish after this check.
   */
  private async checkSocket(): Promise<void> {
    try {
      const st = await stat(this.socketPath);
      if (!st.isSocket()) throw new PodResourcesError("not-a-socket", this.socketPath, `not a unix socket (a ${fileKind(st)})`);
    } catch (err) {
      if (err instanceof PodResourcesError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        throw new PodResourcesError("no-socket", this.socketPath, `no socket file (${code}): is the hostPath /var/lib/kubelet/pod-resources mounted, under --host-root?`, { cause: err });
      }
      if (code === "EACCES") throw new PodResourcesError("permission-denied", this.socketPath, "not permitted to reach the socket (EACCES): the agent must run as root", { cause: err });
      throw new PodResourcesError("no-socket", this.socketPath, `cannot stat the socket: ${(err as Error).message}`, { cause: err });
    }
  }
}

function fileKind(st: { isDirectory(): boolean; isFile(): boolean }): string {
  if (st.isDirectory()) return "directory";
  if (st.isFile()) return "regular file";
  return "special file";
}

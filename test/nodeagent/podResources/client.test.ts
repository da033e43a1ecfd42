import { afterEach, describe, expect, it } from "vitest";
import { gpuHolders } from "../../../core/gpu/gpuHolders.js";
import { DEFAULT_POD_RESOURCES_SOCKET, DEFAULT_POD_RESOURCES_TIMEOUT_MS, PodResourcesClient, type PodDevices } from "../../../nodeagent/podResources/index.js";
import { type FakeKubelet, fakeKubelet } from "./fakeKubelet.js";
import { H100_UUIDS, MIG_DEVICES, MIG_PODS, type WirePod, XD670_PODS } from "./nodeLists.js";

let kubelet: FakeKubelet | undefined;
afterEach(() => kubelet?.remove());

const answering = (pods: WirePod[]) => fakeKubelet((callback) => callback(null, { pod_resources: pods }));

describe("PodResourcesClient against a gRPC server serving the kubelet's v1 API", () => {
  it("the fixtures hold the XD670's 8 GPU UUIDs and the H100 PCIe's 4 MIG UUIDs", () => {
    expect(H100_UUIDS).toEqual([
      "GPU-3b84c06a-611d-8e07-2726-44a868f646fe",
      "GPU-8a39f0ec-5884-45d9-f056-53ace5e57df8",
      "GPU-3f7fea22-2c53-a28e-59a2-07cc6682cad0",
      "GPU-5cfe0e43-68b1-5c29-9082-c085abacf446",
      "GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74",
      "GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d",
      "GPU-b73567b4-d441-96fe-2b36-39ff827022b2",
      "GPU-f57f9621-9754-17cd-b327-841e495b1b25",
    ]);
    expect(MIG_DEVICES.map((d) => `${d.profile} ${d.uuid}`)).toEqual([
      "3g.40gb MIG-da06d78f-7534-56a0-a062-62fef012be91",
      "1g.10gb MIG-8aa1fc52-9818-58ec-bc64-8f0cae121bb4",
      "1g.10gb MIG-42fa9c93-1430-5ccc-b623-c02fb93b7f5a",
      "1g.10gb MIG-6d96b431-44ba-5360-80b0-9359561c927d",
    ]);
  });

  it("lists every pod of an 8-GPU node with its containers' devices and NUMA nodes, pods without devices included", async () => {
    kubelet = await answering(XD670_PODS);
    const pods = await new PodResourcesClient({ socketPath: kubelet.socketPath }).list();
    const gpu = (i: number, numa: number) => ({ resourceName: "nvidia.com/gpu", deviceIds: [H100_UUIDS[i]!], numaNodes: [numa] });
    expect(pods).toEqual<PodDevices[]>([
      {
        namespace: "ml-team",
        name: "llama-7b-lora-worker-0",
        containers: [
          { name: "trainer", devices: [gpu(0, 0), gpu(1, 0), gpu(2, 0), gpu(3, 0)] },
          { name: "log-shipper", devices: [] },
        ],
      },
      {
        namespace: "research",
        name: "eval-harness-5d8f9",
        containers: [{ name: "eval", devices: [gpu(5, 1), { resourceName: "nvidia.com/hostdev", deviceIds: ["0000:9b:00.1"], numaNodes: [1] }, gpu(4, 1)] }],
      },
      {
        namespace: "inference",
        name: "vllm-qwen3-0-6b-7c9d8",
        containers: [
          { name: "vllm", devices: [gpu(6, 1)] },
          { name: "metrics-sidecar", devices: [] },
        ],
      },
      { namespace: "kube-system", name: "nvidia-device-plugin-daemonset-4xk2p", containers: [{ name: "nvidia-device-plugin", devices: [] }] },
    ]);
    expect(kubelet.listCalls()).toBe(1);
  });

  it("keeps MIG UUIDs as device ids, and a device without topology has no NUMA node", async () => {
    kubelet = await answering(MIG_PODS);
    const pods = await new PodResourcesClient({ socketPath: kubelet.socketPath }).list();
    expect(pods.map((p) => [p.name, p.containers[0]?.devices])).toEqual([
      ["vllm-small-0", [{ resourceName: "nvidia.com/mig-3g.40gb", deviceIds: ["MIG-da06d78f-7534-56a0-a062-62fef012be91"], numaNodes: [0] }]],
      ["jupyter-alice", [{ resourceName: "nvidia.com/mig-1g.10gb", deviceIds: ["MIG-8aa1fc52-9818-58ec-bc64-8f0cae121bb4"], numaNodes: [0] }]],
      ["jupyter-bob", [{ resourceName: "nvidia.com/mig-1g.10gb", deviceIds: ["MIG-42fa9c93-1430-5ccc-b623-c02fb93b7f5a"], numaNodes: [] }]],
    ]);
  });

  it("feeds gpuHolders: each GPU UUID to the container holding it, the NIC and the free GPU absent", async () => {
    kubelet = await answering(XD670_PODS);
    const holders = gpuHolders(await new PodResourcesClient({ socketPath: kubelet.socketPath }).list());
    const trainer = { namespace: "ml-team", pod: "llama-7b-lora-worker-0", container: "trainer", resourceName: "nvidia.com/gpu" };
    const evalJob = { namespace: "research", pod: "eval-harness-5d8f9", container: "eval", resourceName: "nvidia.com/gpu" };
    expect([...holders]).toEqual([
      ["GPU-3b84c06a-611d-8e07-2726-44a868f646fe", trainer],
      ["GPU-8a39f0ec-5884-45d9-f056-53ace5e57df8", trainer],
      ["GPU-3f7fea22-2c53-a28e-59a2-07cc6682cad0", trainer],
      ["GPU-5cfe0e43-68b1-5c29-9082-c085abacf446", trainer],
      ["GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d", evalJob],
      ["GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74", evalJob],
      ["GPU-b73567b4-d441-96fe-2b36-39ff827022b2", { namespace: "inference", pod: "vllm-qwen3-0-6b-7c9d8", container: "vllm", resourceName: "nvidia.com/gpu" }],
    ]);
  });

  it("answers an empty node with no pods", async () => {
    kubelet = await answering([]);
    await expect(new PodResourcesClient({ socketPath: kubelet.socketPath }).list()).resolves.toEqual([]);
  });

  it("opens a fresh connection each call: after a kubelet restart on the same socket the next call answers", async () => {
    kubelet = await answering(MIG_PODS);
    const client = new PodResourcesClient({ socketPath: kubelet.socketPath });
    expect(await client.list()).toHaveLength(3);
    kubelet.kill();
    const restarted = await fakeKubelet((callback) => callback(null, { pod_resources: XD670_PODS }), kubelet.dir);
    try {
      expect((await client.list()).map((p) => p.name)).toEqual(["llama-7b-lora-worker-0", "eval-harness-5d8f9", "vllm-qwen3-0-6b-7c9d8", "nvidia-device-plugin-daemonset-4xk2p"]);
      expect(restarted.listCalls()).toBe(1);
    } finally {
      restarted.kill();
    }
  });

  it("defaults to the kubelet's socket path and a 5 s deadline", () => {
    const client = new PodResourcesClient();
    expect([client.socketPath, client.timeoutMs]).toEqual(["/var/lib/kubelet/pod-resources/kubelet.sock", 5000]);
    expect([DEFAULT_POD_RESOURCES_SOCKET, DEFAULT_POD_RESOURCES_TIMEOUT_MS]).toEqual([client.socketPath, client.timeoutMs]);
  });
});

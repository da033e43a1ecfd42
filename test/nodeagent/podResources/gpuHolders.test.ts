import { describe, expect, it } from "vitest";
import { GPU_RESOURCE_PREFIXES, gpuHolders, type PodDevices, type ResourceDevices } from "../../../core/gpu/gpuHolders.js";

const H100_0 = "GPU-3b84c06a-611d-8e07-2726-44a868f646fe";
const H100_1 = "GPU-8a39f0ec-5884-45d9-f056-53ace5e57df8";
const MIG_3G = "MIG-da06d78f-7534-56a0-a062-62fef012be91";
const MIG_1G = "MIG-8aa1fc52-9818-58ec-bc64-8f0cae121bb4";

const devices = (resourceName: string, ids: string[], numaNodes: number[] = [0]): ResourceDevices => ({ resourceName, deviceIds: ids, numaNodes });
const pod = (namespace: string, name: string, containers: Record<string, ResourceDevices[]>): PodDevices => ({
  namespace,
  name,
  containers: Object.entries(containers).map(([c, d]) => ({ name: c, devices: d })),
});
const holder = (namespace: string, podName: string, container: string, resourceName: string) => ({ namespace, pod: podName, container, resourceName });

describe("gpuHolders", () => {
  it("maps whole-GPU and MIG device ids to their container by default; other resources are left out", () => {
    const pods = [
      pod("ml", "train-0", { trainer: [devices("nvidia.com/gpu", [H100_0]), devices("nvidia.com/hostdev", ["0000:9b:00.1"])], sidecar: [] }),
      pod("inf", "vllm-0", { vllm: [devices("nvidia.com/mig-3g.40gb", [MIG_3G]), devices("example.com/fpga", ["fpga-0"])] }),
      pod("kube-system", "dns", { coredns: [] }),
    ];
    expect([...gpuHolders(pods)]).toEqual([
      [H100_0, holder("ml", "train-0", "trainer", "nvidia.com/gpu")],
      [MIG_3G, holder("inf", "vllm-0", "vllm", "nvidia.com/mig-3g.40gb")],
    ]);
  });

  it("keeps device ids as the plugin gave them: indices (DEVICE_ID_STRATEGY=index) and time-slice replicas", () => {
    const pods = [
      pod("a", "p", { c: [devices("nvidia.com/gpu", ["0", "1"]), devices("nvidia.com/mig-1g.10gb", ["2:0"])] }),
      pod("b", "q", { c: [devices("nvidia.com/gpu.shared", [`${H100_1}::0`, `${H100_1}::3`])] }),
    ];
    expect([...gpuHolders(pods).keys()]).toEqual(["0", "1", "2:0", `${H100_1}::0`, `${H100_1}::3`]);
  });

  it("a device the kubelet lists once per NUMA node maps once", () => {
    const pods = [pod("ml", "train-0", { trainer: [devices("nvidia.com/gpu", [H100_0], [0]), devices("nvidia.com/gpu", [H100_0], [1])] })];
    expect([...gpuHolders(pods)]).toEqual([[H100_0, holder("ml", "train-0", "trainer", "nvidia.com/gpu")]]);
  });

  it("an id under two containers keeps the first in List order", () => {
    const pods = [pod("a", "first", { c: [devices("nvidia.com/gpu", [H100_0])] }), pod("b", "second", { c: [devices("nvidia.com/gpu", [H100_0, H100_1])] })];
    expect([...gpuHolders(pods)]).toEqual([
      [H100_0, holder("a", "first", "c", "nvidia.com/gpu")],
      [H100_1, holder("b", "second", "c", "nvidia.com/gpu")],
    ]);
  });

  it.each([
    { resourcePrefix: "nvidia.com/", want: [H100_0, "0000:9b:00.1", MIG_1G] },
    { resourcePrefix: "nvidia.com/mig-", want: [MIG_1G] },
    { resourcePrefix: ["nvidia.com/gpu", "example.com/"], want: [H100_0, "fpga-0"] },
    { resourcePrefix: [], want: [] },
  ])("resourcePrefix $resourcePrefix selects $want", ({ resourcePrefix, want }) => {
    const pods = [
      pod("ml", "p", {
        c: [devices("nvidia.com/gpu", [H100_0]), devices("nvidia.com/hostdev", ["0000:9b:00.1"]), devices("nvidia.com/mig-1g.10gb", [MIG_1G]), devices("example.com/fpga", ["fpga-0"])],
      }),
    ];
    expect([...gpuHolders(pods, { resourcePrefix }).keys()]).toEqual(want);
  });

  it("no pods, or pods holding nothing, give an empty map", () => {
    expect(gpuHolders([]).size).toBe(0);
    expect(gpuHolders([pod("kube-system", "dns", { coredns: [] })]).size).toBe(0);
  });

  it("the default prefixes are the device plugin's GPU and MIG resources", () => {
    expect(GPU_RESOURCE_PREFIXES).toEqual(["nvidia.com/gpu", "nvidia.com/mig-"]);
  });
});

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseGpuList, parseGpuQuery } from "../../../core/gpu/index.js";

/**
 * List answers of two nodes as the kubelet sends them, in the .proto's field names: one
 * `ContainerDevices` per device and NUMA node (kubelet `containerDevicesFromResourceDeviceInstances`),
 * no `topology` for a device whose plugin reports none, containers without devices listed with none.
 * The device ids are the GPUs and MIG devices of the node fixtures.
 */
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/node/${name}`, import.meta.url)), "utf8");

/** The 8 H100 80GB HBM3 of the HPE XD670 (UUIDs real); GPUs 0–3 on NUMA node 0, 4–7 on 1, as its sysfs tree. */
export const H100_UUIDS = parseGpuQuery(fixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv")).map((g) => g.uuid);
/** The H100 PCIe in MIG mode: 3g.40gb, then three 1g.10gb. */
export const MIG_DEVICES = parseGpuList(fixture("nvidia-smi-L_h100-pcie_mig.txt"))[0]!.migDevices;

const gpuOf = (i: number) => H100_UUIDS[i]!;
const migOf = (i: number) => MIG_DEVICES[i]!.uuid;

interface WireDevices {
  resource_name: string;
  device_ids: string[];
  topology: { nodes: { ID: number }[] } | null;
}
export interface WirePod {
  name: string;
  namespace: string;
  containers: { name: string; devices: WireDevices[]; cpu_ids?: number[] }[];
}

const on = (resource: string, id: string, numa: number | null): WireDevices => ({
  resource_name: resource,
  device_ids: [id],
  topology: numa === null ? null : { nodes: [{ ID: numa }] },
});

/** XD670: a 4-GPU trainer, an eval job with 2 GPUs and an SR-IOV NIC, a vLLM server; GPU 7 free. */
export const XD670_PODS: WirePod[] = [
  {
    name: "llama-7b-lora-worker-0",
    namespace: "ml-team",
    containers: [
      { name: "trainer", devices: [0, 1, 2, 3].map((i) => on("nvidia.com/gpu", gpuOf(i), 0)), cpu_ids: [0, 1, 2, 3, 112, 113, 114, 115] },
      { name: "log-shipper", devices: [] },
    ],
  },
  {
    name: "eval-harness-5d8f9",
    namespace: "research",
    containers: [{ name: "eval", devices: [on("nvidia.com/gpu", gpuOf(5), 1), on("nvidia.com/hostdev", "0000:9b:00.1", 1), on("nvidia.com/gpu", gpuOf(4), 1)] }],
  },
  {
    name: "vllm-qwen3-0-6b-7c9d8",
    namespace: "inference",
    containers: [
      { name: "vllm", devices: [on("nvidia.com/gpu", gpuOf(6), 1)] },
      { name: "metrics-sidecar", devices: [] },
    ],
  },
  { name: "nvidia-device-plugin-daemonset-4xk2p", namespace: "kube-system", containers: [{ name: "nvidia-device-plugin", devices: [] }] },
];

/** The H100 PCIe with MIG (mixed strategy): three MIG devices given out, one free; one plugin reports no NUMA node. */
export const MIG_PODS: WirePod[] = [
  { name: "vllm-small-0", namespace: "inference", containers: [{ name: "vllm", devices: [on("nvidia.com/mig-3g.40gb", migOf(0), 0)] }] },
  { name: "jupyter-alice", namespace: "notebooks", containers: [{ name: "notebook", devices: [on("nvidia.com/mig-1g.10gb", migOf(1), 0)] }] },
  { name: "jupyter-bob", namespace: "notebooks", containers: [{ name: "notebook", devices: [on("nvidia.com/mig-1g.10gb", migOf(2), null)] }] },
];

import { describe, expect, it } from "vitest";
import { acceptedProducts, gpuRequestOf, podGpus, type PodLike } from "../../../core/placement/index.js";

const gpus = (n: number | string, where: "requests" | "limits" = "limits") => ({ resources: { [where]: { "nvidia.com/gpu": n } } });

describe("podGpus", () => {
  it.each<[string, PodLike, number]>([
    ["no containers", { spec: {} }, 0],
    ["limits only (extended resources: request = limit)", { spec: { containers: [gpus("2")] } }, 2],
    ["requests", { spec: { containers: [gpus(4, "requests")] } }, 4],
    ["summed over containers", { spec: { containers: [gpus(2), gpus(1), {}] } }, 3],
    ["an init container larger than the sum", { spec: { containers: [gpus(1)], initContainers: [gpus(4)] } }, 4],
    ["an init container smaller than the sum", { spec: { containers: [gpus(2), gpus(2)], initContainers: [gpus(1)] } }, 4],
    ["a non-integer quantity is not a GPU count", { spec: { containers: [gpus("500m")] } }, 0],
    ["containers: null (the Go nil slice)", { spec: { containers: null as unknown as [] } }, 0],
  ])("%s", (_what, pod, expected) => {
    expect(podGpus(pod)).toBe(expected);
  });
});

describe("acceptedProducts", () => {
  const affinity = (...terms: Array<Array<{ key: string; operator: string; values?: string[] }>>) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } },
  });

  it("reads the nodeSelector", () => {
    expect(acceptedProducts({ spec: { nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" } } })).toEqual(["NVIDIA-A100-SXM4-80GB"]);
  });

  it("reads a single required affinity term with In, and narrows the nodeSelector with it", () => {
    const term = [{ key: "nvidia.com/gpu.product", operator: "In", values: ["A", "B"] }];
    expect(acceptedProducts({ spec: { affinity: affinity(term) } })).toEqual(["A", "B"]);
    expect(acceptedProducts({ spec: { nodeSelector: { "nvidia.com/gpu.product": "B" }, affinity: affinity(term) } })).toEqual(["B"]);
  });

  it("does not narrow on ORed terms or other operators", () => {
    const a = [{ key: "nvidia.com/gpu.product", operator: "In", values: ["A"] }];
    expect(acceptedProducts({ spec: { affinity: affinity(a, [{ key: "zone", operator: "In", values: ["z"] }]) } })).toBeUndefined();
    expect(acceptedProducts({ spec: { affinity: affinity([{ key: "nvidia.com/gpu.product", operator: "NotIn", values: ["A"] }]) } })).toBeUndefined();
  });
});

it("gpuRequestOf reads the job type label", () => {
  expect(gpuRequestOf({ metadata: { labels: { "gpu-steward.io/job-type": "llama-7b-lora" } }, spec: { containers: [gpus(2)] } })).toEqual({ gpus: 2, jobType: "llama-7b-lora" });
});

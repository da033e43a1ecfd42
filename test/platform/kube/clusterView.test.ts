import { describe, expect, it } from "vitest";
import { ClusterView, type NodeObject, type PodObject } from "../../../platform/kube/clusterView.js";

const aNode = (name: string, gpus: number, labels: Record<string, string> = {}): NodeObject => ({
  metadata: { name, labels: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3", ...labels } },
  status: { allocatable: { cpu: "96", "nvidia.com/gpu": String(gpus) } },
});
const aPod = (uid: string, nodeName: string | undefined, gpus: number, opts: { phase?: string; jobType?: string } = {}): PodObject => ({
  metadata: { uid, name: uid, namespace: "team-a", ...(opts.jobType && { labels: { "gpu-steward.io/job-type": opts.jobType } }) },
  spec: { ...(nodeName && { nodeName }), containers: [{ resources: { limits: { "nvidia.com/gpu": String(gpus) } } }] },
  status: { phase: opts.phase ?? "Running" },
});

describe("ClusterView", () => {
  it("counts GPUs of bound, non-terminal pods against the node's allocatable", () => {
    const view = new ClusterView();
    view.upsertNode(aNode("n1", 8, { "gpu-steward.io/pool": "credits" }));
    view.upsertPod(aPod("p1", "n1", 2, { jobType: "a" }));
    view.upsertPod(aPod("p2", "n1", 1, { jobType: "a" }));
    view.upsertPod(aPod("p3", undefined, 4)); // pending, not bound
    view.upsertPod(aPod("p4", "n1", 4, { phase: "Succeeded" }));
    expect(view.capacity("n1")).toEqual({ name: "n1", product: "NVIDIA-H100-80GB-HBM3", pool: "credits", allocatableGpus: 8, usedGpus: 3, jobTypes: new Map([["a", 2]]), jobTypesKey: "a=2", fitKey: expect.any(String) });
  });

  it("keeps usage of pods seen before their node", () => {
    const view = new ClusterView();
    view.upsertPod(aPod("p1", "n1", 2));
    expect(view.capacity("n1")).toBeUndefined();
    view.upsertNode(aNode("n1", 8));
    expect(view.capacity("n1")?.usedGpus).toBe(2);
  });

  it("releases a pod when it ends, is deleted, or is seen again (no double counting)", () => {
    const view = new ClusterView();
    view.upsertNode(aNode("n1", 8));
    view.upsertPod(aPod("p1", "n1", 2, { jobType: "a" }));
    view.upsertPod(aPod("p1", "n1", 2, { jobType: "a" }));
    expect(view.capacity("n1")?.usedGpus).toBe(2);
    view.upsertPod(aPod("p1", "n1", 2, { phase: "Failed", jobType: "a" }));
    expect(view.capacity("n1")).toMatchObject({ usedGpus: 0, jobTypes: new Map(), jobTypesKey: "" });
    view.upsertPod(aPod("p2", "n1", 3));
    view.deletePod(aPod("p2", "n1", 3));
    expect(view.capacity("n1")?.usedGpus).toBe(0);
  });

  it("lists the GPU products of nodes with GPUs", () => {
    const view = new ClusterView();
    view.upsertNode(aNode("n1", 8));
    view.upsertNode(aNode("n2", 4, { "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB" }));
    view.upsertNode(aNode("cpu", 0, { "nvidia.com/gpu.product": "none" }));
    expect(view.gpuProducts()).toEqual(["NVIDIA-A100-SXM4-80GB", "NVIDIA-H100-80GB-HBM3"]);
    view.deleteNode("n2");
    expect(view.gpuProducts()).toEqual(["NVIDIA-H100-80GB-HBM3"]);
  });
  it("finds the running GPU pods of a training job by its job-name label, per namespace", () => {
    const view = new ClusterView();
    const jobPod = (uid: string, namespace: string, job: string, replica: string, nodeName: string, phase = "Running"): PodObject => ({
      metadata: { uid, name: uid, namespace, labels: { "training.kubeflow.org/job-name": job, "training.kubeflow.org/replica-type": replica, "gpu-steward.io/job-type": "llama" } },
      spec: { nodeName, containers: [{ resources: { limits: { "nvidia.com/gpu": "8" } } }] },
      status: { phase },
    });
    view.upsertPod(jobPod("m", "team-a", "llama", "master", "n1"));
    view.upsertPod(jobPod("w", "team-a", "llama", "worker", "n2"));
    view.upsertPod(jobPod("x", "team-b", "llama", "master", "n3"));
    expect(view.podsOfJob("team-a", "llama")).toEqual([
      { nodeName: "n1", jobType: "llama", replicaType: "master" },
      { nodeName: "n2", jobType: "llama", replicaType: "worker" },
    ]);
    view.upsertPod(jobPod("w", "team-a", "llama", "worker", "n2", "Succeeded"));
    view.deletePod(jobPod("x", "team-b", "llama", "master", "n3"));
    expect(view.podsOfJob("team-a", "llama")).toEqual([{ nodeName: "n1", jobType: "llama", replicaType: "master" }]);
    expect(view.podsOfJob("team-b", "llama")).toEqual([]);
  });
});

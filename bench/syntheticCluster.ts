/**
 * A seeded synthetic GPU cluster for the extender benchmark: N nodes of 8 GPUs in three GPU types,
 * one in ten in the credit pool, about half their GPUs taken by running pods of ten job types; and
 * pending pods asking 1, 2, 4 or 8 GPUs, some pinned to a GPU type.
 */
import type { ScoringModel } from "../core/scoring/index.js";
import type { ClusterView, NodeObject, PodObject } from "../platform/kube/clusterView.js";
import { seededRandom } from "./seededRandom.js";

const PRODUCTS = ["NVIDIA-H100-80GB-HBM3", "NVIDIA-A100-SXM4-80GB", "NVIDIA-L40S"];
const JOB_TYPES = Array.from({ length: 10 }, (_, i) => `job-type-${i}`);


export function nodeName(i: number): string {
  return `gpu-node-${String(i).padStart(5, "0")}`;
}

function gpuPod(name: string, gpus: number, jobType: string, nodeName?: string, product?: string): PodObject {
  return {
    metadata: { name, namespace: "bench", uid: `uid-${name}`, labels: { "gpu-steward.io/job-type": jobType } },
    spec: {
      ...(nodeName && { nodeName }),
      ...(product && { nodeSelector: { "nvidia.com/gpu.product": product } }),
      containers: [{ resources: { limits: { "nvidia.com/gpu": String(gpus) } } }],
    },
    status: { phase: nodeName ? "Running" : "Pending" },
  };
}

export function populate(view: ClusterView, model: ScoringModel, nodes: number, seed = 42): void {
  const random = seededRandom(seed);
  for (let i = 0; i < nodes; i++) {
    const node: NodeObject = {
      metadata: { name: nodeName(i), labels: { "nvidia.com/gpu.product": PRODUCTS[i % 3]!, ...(i % 10 === 0 && { "gpu-steward.io/pool": "credits" }) } },
      status: { allocatable: { "nvidia.com/gpu": "8" } },
    };
    view.upsertNode(node);
    let used = 0;
    for (let p = 0; used < 8 && random() < 0.55; p++) {
      const gpus = Math.min(8 - used, [1, 2, 4][Math.floor(random() * 3)]!);
      view.upsertPod(gpuPod(`run-${i}-${p}`, gpus, JOB_TYPES[Math.floor(random() * JOB_TYPES.length)]!, nodeName(i)));
      used += gpus;
    }
  }
  // Some history, so runtime and interference scores differ between nodes.
  for (let k = 0; k < 300; k++) {
    const jobType = JOB_TYPES[k % JOB_TYPES.length]!;
    const colocated = random() < 0.5 ? [JOB_TYPES[Math.floor(random() * JOB_TYPES.length)]!] : [];
    model.observe({ jobType, gpuType: PRODUCTS[k % 3]!, runtimeS: 600 + 3000 * random(), colocatedJobTypes: colocated }, 1_700_000_000_000 + k);
  }
}

/** Pending pods to place: varied sizes, a third pinned to a GPU type. */
export function pendingPods(count: number, seed = 7): PodObject[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) =>
    gpuPod(`pending-${i}`, [1, 2, 4, 8][i % 4]!, JOB_TYPES[i % JOB_TYPES.length]!, undefined, random() < 0.33 ? PRODUCTS[i % 3] : undefined),
  );
}

/**
 * Where a running job sits and who shares its nodes: one sample, taken by the learner on each poll
 * while the job runs, and the fold of those samples into what the job's observation will carry.
 */

/** One GPU pod of a job, as the cluster view knows it. */
export interface JobPod {
  nodeName: string;
  jobType: string | undefined;
  /** `training.kubeflow.org/replica-type` (`master`, `worker`), when the pod has it. */
  replicaType: string | undefined;
}

/** What the learner needs of a node: its GPU product and the job types of the GPU pods on it (the job's own included). */
export interface SampledNode {
  product?: string | undefined;
  jobTypes: ReadonlyMap<string, number>;
}

export interface PlacementSample {
  /** Job types of other pods on the job's nodes, distinct and sorted. */
  colocatedJobTypes: string[];
  /** Product of the node the master pod (else the first pod by node name) runs on, when the view knows that node. */
  gpuType: string | undefined;
}

/**
 * The node's job types minus the job's own pods on it: a second job of the same type sharing the node
 * is co-located, the job's own workers are not.
 */
export function placementSample(pods: readonly JobPod[], nodeOf: (name: string) => SampledNode | undefined): PlacementSample {
  const ownByNode = new Map<string, Map<string, number>>();
  for (const pod of pods) {
    let own = ownByNode.get(pod.nodeName);
    if (!own) ownByNode.set(pod.nodeName, (own = new Map()));
    if (pod.jobType !== undefined) own.set(pod.jobType, (own.get(pod.jobType) ?? 0) + 1);
  }
  const colocated = new Set<string>();
  for (const [nodeName, own] of ownByNode) {
    for (const [jobType, count] of nodeOf(nodeName)?.jobTypes ?? []) {
      if (count > (own.get(jobType) ?? 0)) colocated.add(jobType);
    }
  }
  const byNode = [...pods].sort((a, b) => (a.nodeName < b.nodeName ? -1 : a.nodeName > b.nodeName ? 1 : 0));
  const anchor = byNode.find((p) => p.replicaType?.toLowerCase() === "master") ?? byNode[0];
  return { colocatedJobTypes: [...colocated].sort(), gpuType: anchor && nodeOf(anchor.nodeName)?.product };
}

/** Union of the co-located types seen so far and a new sample's, distinct and sorted (stable, so unchanged samples cause no write). */
export function mergeColocated(seen: readonly string[], sample: readonly string[]): string[] {
  return [...new Set([...seen, ...sample])].sort();
}

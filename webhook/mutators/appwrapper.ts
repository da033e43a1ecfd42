import type { Recommendation } from "../../core/sizing/types.js";
import { cloneJson, thawPyTorchJob } from "./copyOnWrite.js";
import type { Mutator } from "./mutator.js";
import { AppWrapper, describeIssue, PyTorchJob } from "./shapes.js";

const WORKER_PATH = "template.spec.pytorchReplicaSpecs.Worker.template";
const MASTER_PATH = "template.spec.pytorchReplicaSpecs.Master.template";

function isPyTorchJobTemplate(template: unknown): boolean {
  if (typeof template !== "object" || template === null) return false;
  const t = template as { apiVersion?: unknown; kind?: unknown };
  return t.kind === "PyTorchJob" && typeof t.apiVersion === "string" && t.apiVersion.startsWith("kubeflow.org/");
}

function pytorchComponentIndex(root: Record<string, unknown>): number {
  const components = (root.spec as AppWrapper["spec"]).components;
  return components.findIndex((c) => isPyTorchJobTemplate(c.template));
}

/**
 * workload.codeflare.dev AppWrapper holding one PyTorchJob. Its `components[].template` is
 * immutable after CREATE (appwrapper_webhook.go), so CREATE is the only time to size it.
 */
export const appWrapperMutator: Mutator = {
  kind: "AppWrapper",
  matches: (group, kind) => group === "workload.codeflare.dev" && kind === "AppWrapper",
  locate(object) {
    const parsed = AppWrapper.safeParse(object);
    if (!parsed.success) return { ok: false, reason: describeIssue(parsed.error, "") };
    const indexes = parsed.data.spec.components.flatMap((c, i) => (isPyTorchJobTemplate(c.template) ? [i] : []));
    if (indexes.length !== 1) {
      return { ok: false, reason: `spec.components holds ${indexes.length} PyTorchJob templates; gpu-steward sizes exactly one` };
    }
    const index = indexes[0]!;
    const job = PyTorchJob.safeParse(parsed.data.spec.components[index]!.template);
    if (!job.success) return { ok: false, reason: describeIssue(job.error, `spec.components.${index}.template`) };
    const raw = object as AppWrapper; // validated above
    return {
      ok: true,
      job: job.data,
      metadata: parsed.data.metadata ?? {},
      thaw() {
        const inner = thawPyTorchJob(raw.spec.components[index]!.template as PyTorchJob);
        const components = raw.spec.components.map((c, i) => (i === index ? { ...c, template: inner } : c));
        const root = { ...raw, metadata: cloneJson(raw.metadata ?? {}), spec: { ...raw.spec, components } };
        return { root: root as Record<string, unknown>, job: inner };
      },
    };
  },
  afterResize(root, rec: Recommendation) {
    // Declared podSets must match the inferred ones (ValidatePodSets): follow the new Worker count.
    const component = (root.spec as AppWrapper["spec"]).components[pytorchComponentIndex(root)]!;
    const podSets = component.podSets;
    if (!podSets || podSets.length === 0) return;
    const workers = rec.workers - 1;
    // New objects: the declared podSets are shared with the admitted object (copy-on-write).
    const kept = podSets
      .filter((p) => p.path !== WORKER_PATH || workers >= 1)
      .map((p) => (p.path === MASTER_PATH ? { ...p, replicas: 1 } : p.path === WORKER_PATH ? { ...p, replicas: workers } : p));
    if (workers >= 1 && !kept.some((p) => p.path === WORKER_PATH)) kept.push({ replicas: workers, path: WORKER_PATH });
    component.podSets = kept;
  },
};

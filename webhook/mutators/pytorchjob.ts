import type { Mutator } from "./mutator.js";
import { describeIssue, PyTorchJob } from "./shapes.js";

/** kubeflow.org PyTorchJob admitted directly. */
export const pytorchJobMutator: Mutator = {
  kind: "PyTorchJob",
  matches: (group, kind) => group === "kubeflow.org" && kind === "PyTorchJob",
  locate(object) {
    const parsed = PyTorchJob.safeParse(object);
    if (!parsed.success) return { ok: false, reason: describeIssue(parsed.error, "") };
    return { ok: true, job: parsed.data, metadata: parsed.data.metadata ?? {}, select: (root) => root as PyTorchJob };
  },
};

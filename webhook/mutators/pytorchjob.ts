import { cloneJson, thawPyTorchJob } from "./copyOnWrite.js";
import type { Mutator } from "./mutator.js";
import { describeIssue, PyTorchJob } from "./shapes.js";

/** kubeflow.org PyTorchJob admitted directly. */
export const pytorchJobMutator: Mutator = {
  kind: "PyTorchJob",
  matches: (group, kind) => group === "kubeflow.org" && kind === "PyTorchJob",
  locate(object) {
    const parsed = PyTorchJob.safeParse(object);
    if (!parsed.success) return { ok: false, reason: describeIssue(parsed.error, "") };
    const raw = object as PyTorchJob; // validated above; the parsed copy lacks the fields it stripped
    return {
      ok: true,
      job: parsed.data,
      metadata: parsed.data.metadata ?? {},
      thaw() {
        const job = { ...thawPyTorchJob(raw), metadata: cloneJson(raw.metadata ?? {}) };
        return { root: job as Record<string, unknown>, job };
      },
    };
  },
};

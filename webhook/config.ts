import { z } from "zod";
import type { OptionSpec } from "../platform/config/options.js";

/** `key=value`, as in a label selector's equality term. */
const labelPair = z
  .string()
  .regex(/^[A-Za-z0-9][-A-Za-z0-9_./]*=[-A-Za-z0-9_.]*$/, "expected key=value")
  .transform((s) => {
    const i = s.indexOf("=");
    return { key: s.slice(0, i), value: s.slice(i + 1) };
  });

/**
 * The admission webhook's settings. Defaults keep the names of IBM's fms-autoconf-k8s-controller so
 * jobs written for it opt in unchanged.
 */
export const WebhookConfig = z
  .object({
    recommender: z.enum(["embedded", "ado"]).default("embedded"),
    adoUrl: z.url({ protocol: /^https?$/ }).optional(),
    adoModelVersion: z.string().min(1).default("3.1.0"),
    /** How long /mutate may wait for ADO before answering from the embedded model. */
    adoDeadlineMs: z.number().int().min(100).max(10_000).default(2_500),
    /** Kueue-queued PyTorchJobs: gate admission and size asynchronously instead of waiting (cluster mode). */
    adoAsyncGate: z.boolean().default(false),
    /** Gated jobs: how long the gate loop waits for ADO before the embedded model sizes them (the job waits unadmitted meanwhile). */
    adoGateMaxWaitMs: z.number().int().min(1_000).max(3_600_000).default(120_000),
    policy: z.enum(["min-gpus", "avoid-oom"]).default("min-gpus"),
    maxGpus: z.number().int().min(1).max(4096).default(64),
    gpusPerNode: z.number().int().min(1).max(64).default(8),
    cpuPerGpu: z.number().min(0).max(256).default(2),
    patchCpu: z.boolean().default(true),
    defaultGpuModel: z.string().min(1).optional(),
    /**
     * GPU types (`nvidia.com/gpu.product` values) a job that names none may be given, when the
     * cluster view offers none (standalone mode). The learned model picks among those that fit.
     */
    gpuTypes: z.array(z.string().min(1)).default([]),
    /** Choose a GPU type for jobs that name none (else only --default-gpu-model applies). */
    chooseGpuType: z.boolean().default(true),
    watchLabel: labelPair.prefault("autoconf-plugin-name=resource-requirements-appwrapper"),
    doneLabel: labelPair.prefault("autoconf-plugin-done=yes"),
    recommendationAnnotation: z.string().min(1).default("ado-autoconf.ibm.com/recommendation"),
    /** Namespaces whose jobs opt in without the watch label. */
    namespaces: z.array(z.string().min(1)).default([]),
    envPrefix: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "expected an env var prefix like AUTOCONF_").default("AUTOCONF_"),
    /** Largest AdmissionReview body accepted; the apiserver's own request limit is 3 MiB. */
    maxBodyBytes: z.number().int().min(1024).default(3 * 1024 * 1024),
    /** Decisions remembered for repeated reviews (same content, new uid); 0 turns the memo off. */
    decisionMemoEntries: z.number().int().min(0).max(1_000_000).default(1024),
  })
  .refine((c) => c.recommender !== "ado" || c.adoUrl !== undefined, {
    message: "--ado-url is required with --recommender ado",
    path: ["adoUrl"],
  });
export type WebhookConfig = z.infer<typeof WebhookConfig>;

export const webhookOptions: readonly OptionSpec[] = [
  { flag: "recommender", path: "webhook.recommender", kind: "string", help: "embedded|ado", defaultText: "embedded" },
  { flag: "ado-url", path: "webhook.adoUrl", kind: "string", help: "base URL of the ADO REST API (with --recommender ado)" },
  { flag: "ado-model-version", path: "webhook.adoModelVersion", kind: "string", help: "autoconf model_version sent to ADO", defaultText: "3.1.0" },
  { flag: "ado-deadline-ms", path: "webhook.adoDeadlineMs", kind: "integer", help: "wait for ADO at most this long, then use the embedded model", defaultText: "2500" },
  { flag: "ado-async-gate", path: "webhook.adoAsyncGate", kind: "boolean", help: "Kueue-queued PyTorchJobs: add an admission gate and size them asynchronously (cluster mode)", defaultText: "false" },
  { flag: "ado-gate-max-wait-ms", path: "webhook.adoGateMaxWaitMs", kind: "integer", help: "gated jobs: wait for ADO at most this long, then size them with the embedded model", defaultText: "120000" },
  { flag: "policy", path: "webhook.policy", kind: "string", help: "min-gpus (fewest GPUs that fit, global batch kept) | avoid-oom (never fewer GPUs than asked)", defaultText: "min-gpus" },
  { flag: "max-gpus", path: "webhook.maxGpus", kind: "integer", help: "largest total GPU count recommended", defaultText: "64" },
  { flag: "gpus-per-node", path: "webhook.gpusPerNode", kind: "integer", help: "GPUs one worker pod may hold", defaultText: "8" },
  { flag: "cpu-per-gpu", path: "webhook.cpuPerGpu", kind: "number", help: "CPU cores requested per GPU (only raised, never lowered)", defaultText: "2" },
  { flag: "patch-cpu", path: "webhook.patchCpu", kind: "boolean", help: "set CPU requests from --cpu-per-gpu", defaultText: "true" },
  { flag: "default-gpu-model", path: "webhook.defaultGpuModel", kind: "string", help: "GPU model when the job names none (nvidia.com/gpu.product value)" },
  { flag: "gpu-types", path: "webhook.gpuTypes", kind: "list", help: "GPU types (nvidia.com/gpu.product values) offered to jobs that name none, when the cluster view has none (comma list)" },
  { flag: "choose-gpu-type", path: "webhook.chooseGpuType", kind: "boolean", help: "give jobs that name no GPU type the learned model's choice among the types that fit", defaultText: "true" },
  { flag: "watch-label", path: "webhook.watchLabel", kind: "string", help: "opt-in label key=value", defaultText: "autoconf-plugin-name=resource-requirements-appwrapper" },
  { flag: "done-label", path: "webhook.doneLabel", kind: "string", help: "label set on sized jobs key=value", defaultText: "autoconf-plugin-done=yes" },
  { flag: "recommendation-annotation", path: "webhook.recommendationAnnotation", kind: "string", help: "annotation holding the recommendation", defaultText: "ado-autoconf.ibm.com/recommendation" },
  { flag: "namespaces", path: "webhook.namespaces", kind: "list", help: "namespaces whose jobs opt in without the label (comma list)" },
  { flag: "env-prefix", path: "webhook.envPrefix", kind: "string", help: "prefix of the override/output env vars", defaultText: "AUTOCONF_" },
  { flag: "max-body-bytes", path: "webhook.maxBodyBytes", kind: "integer", help: "largest AdmissionReview accepted (413 above)", defaultText: "3145728" },
  { flag: "decision-memo-entries", path: "webhook.decisionMemoEntries", kind: "integer", help: "repeated reviews answered from remembered decisions (embedded recommender only); 0 = off", defaultText: "1024" },
];

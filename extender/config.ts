import { z } from "zod";
import type { OptionSpec } from "../platform/config/options.js";
import { LearnerConfig, learnerOptions } from "./learner/config.js";
import { SpendLoopConfig, spendOptions } from "./spend/config.js";

const weight = z.number().min(0).max(100);

/**
 * The extender's settings. Weights are relative: the node score is their weighted mean of the four
 * components, scaled to 0..10, so only their ratios matter.
 */
export const ExtenderConfig = z
  .object({
    port: z.number().int().min(0).max(65535).default(8888),
    /** Serve the extender port with the webhook's certificate (enableHTTPS in the scheduler config). */
    tls: z.boolean().default(false),
    gpuResource: z.string().regex(/^[a-z0-9.-]+\/[a-z0-9._-]+$/, "expected an extended resource name like nvidia.com/gpu").default("nvidia.com/gpu"),
    weights: z
      .object({ runtime: weight.default(1), interference: weight.default(1), topology: weight.default(1), spend: weight.default(1) })
      .prefault({})
      .refine((w) => w.runtime + w.interference + w.topology + w.spend > 0, { message: "at least one weight must be above 0" }),
    /** Largest ExtenderArgs accepted; nodeCacheCapable=false sends whole Node objects. */
    maxBodyBytes: z.number().int().min(1024).default(32 * 1024 * 1024),
    /** Pods whose placement scores `GET /v1/decisions/{ns}/{pod}` remembers, newest first. */
    decisionsKept: z.number().int().min(0).max(1_000_000).default(10_000),
    spend: SpendLoopConfig,
    learner: LearnerConfig.prefault({}),
  })
  .prefault({});
export type ExtenderConfig = z.infer<typeof ExtenderConfig>;

export const extenderOptions: readonly OptionSpec[] = [
  { flag: "extender-port", path: "extender.port", kind: "integer", help: "HTTP port for /filter, /prioritize and the scoring API", defaultText: "8888" },
  { flag: "extender-tls", path: "extender.tls", kind: "boolean", help: "serve the extender port over HTTPS with the webhook's certificate", defaultText: "false" },
  { flag: "gpu-resource", path: "extender.gpuResource", kind: "string", help: "extended resource that counts GPUs", defaultText: "nvidia.com/gpu" },
  { flag: "weight-runtime", path: "extender.weights.runtime", kind: "number", help: "node score weight of the learned runtime of the job type on the node's GPU type", defaultText: "1" },
  { flag: "weight-interference", path: "extender.weights.interference", kind: "number", help: "node score weight of the learned slowdown from the node's running job types", defaultText: "1" },
  { flag: "weight-topology", path: "extender.weights.topology", kind: "number", help: "node score weight of the best free GPU subset's NVLink/PCIe/NUMA quality", defaultText: "1" },
  { flag: "weight-spend", path: "extender.weights.spend", kind: "number", help: "node score weight of spend routing to the credit pool", defaultText: "1" },
  { flag: "extender-max-body-bytes", path: "extender.maxBodyBytes", kind: "integer", help: "largest ExtenderArgs accepted (413 above)", defaultText: "33554432" },
  { flag: "decisions-kept", path: "extender.decisionsKept", kind: "integer", help: "pods whose placement scores GET /v1/decisions keeps", defaultText: "10000" },
  ...spendOptions,
  ...learnerOptions,
];

/** The autoscaler's settings (`steward autoscaler`): one zod schema, defaults here. */
import { z } from "zod";
import { DEFAULT_INFERENCE_PROFILE, INFERENCE_PROFILES } from "../core/inference/index.js";
import { ACCELERATOR_TYPE_LABEL } from "./capacity.js";

export const AutoscalerConfig = z.object({
  log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") }).prefault({}),
  /** 3300: the inferno controller's port, so its Service and callers of /invoke keep working. */
  port: z.number().int().min(0).max(65535).default(3300),
  bindAddress: z.string().min(1).default("0.0.0.0"),
  /** Seconds between cycles; 0 = on demand (/invoke) only. The original's default is 60. */
  periodSeconds: z.number().int().min(0).default(60),
  /** Re-read the static documents every cycle. */
  dynamic: z.boolean().default(false),
  /** A directory of the *-data.json files (a mounted ConfigMap works, as in inferno). */
  dataPath: z.string().min(1).optional(),
  /** Or `namespace/name` of a ConfigMap holding them as keys, read through the API. */
  dataConfigMap: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "expected namespace/name")
    .optional(),
  /** nodes: count cards on the cluster's nodes; file: capacity-data.json in dataPath, re-read each cycle. */
  capacityFrom: z.enum(["nodes", "file"]).default("nodes"),
  profile: z.enum(INFERENCE_PROFILES).default(DEFAULT_INFERENCE_PROFILE),
  prometheus: z
    .object({
      url: z.url({ protocol: /^https?$/ }).optional(),
      /** The rate() window; the originals use 1m. */
      window: z.string().regex(/^\d+[smh]$/, "expected a PromQL duration like 1m or 90s").default("1m"),
      match: z.enum(["pod", "job"]).default("pod"),
      timeoutMs: z.number().int().min(1).default(5_000),
      /** A file holding a bearer token (a mounted service-account token for a managed Prometheus). */
      tokenFile: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Take each server's load from the node agents' NodeReports first (then Prometheus, then its labels). */
  loadFromNodeReports: z.boolean().default(true),
  dryRun: z.boolean().default(false),
  /** Largest replica change per Deployment per cycle; 0 = unbounded (the original's behaviour). */
  maxChange: z.number().int().min(0).default(0),
  scaleToZeroClasses: z.array(z.string().min(1)).default([]),
  acceleratorNodeLabel: z.string().min(1).default(ACCELERATOR_TYPE_LABEL),
  kube: z
    .object({
      kubeconfig: z.string().min(1).optional(),
      identity: z.string().min(1).optional(),
      leaseNamespace: z.string().min(1).default("gpu-steward"),
    })
    .prefault({}),
}).superRefine((c, ctx) => {
  if ((c.dataPath === undefined) === (c.dataConfigMap === undefined)) {
    ctx.addIssue({ code: "custom", path: ["dataPath"], message: "required: --data-path (a directory of *-data.json files) or --data-configmap namespace/name, one of them" });
  }
});
export type AutoscalerConfig = z.infer<typeof AutoscalerConfig>;

export const AUTOSCALER_LEASE = "gpu-steward-autoscaler";

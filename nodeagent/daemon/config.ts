/**
 * The node agent's settings (`steward agent`): one zod schema, defaults here; the flags in
 * cmd/agent.ts. The DaemonSet sets them as STEWARD_* variables or flags.
 */
import { z } from "zod";
import { SloPolicy, ThrottlePolicy } from "../../core/slo/index.js";
import { DEFAULT_POD_RESOURCES_SOCKET } from "../podResources/index.js";

/** The original Cluster-Helper's metric-file directory. */
export const DEFAULT_TENANT_METRICS_DIR = "/var/run/tenant_metrics";

export const AgentConfig = z.object({
  log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") }).prefault({}),
  once: z.boolean().default(false),
  output: z.enum(["json"]).default("json"),
  /** Log every cgroup write and MIG request it would make; make none. */
  dryRun: z.boolean().default(false),
  nodeName: z.string().min(1).optional(),
  /** The original's default was 30 s; 10 s catches a tenant's trouble three polls sooner at ~1 % CPU. */
  pollIntervalSeconds: z.number().min(1).max(3600).default(10),
  /** Full discovery (topology, MIG, `-q -x`) every this many polls; utilisation every poll. */
  topologyEveryPolls: z.number().int().min(1).default(30),
  nvidiaSmi: z.string().min(1).default("nvidia-smi"),
  timeoutMs: z.number().int().min(100).default(10_000),
  hostRoot: z.string().min(1).default("/"),
  cgroupRoot: z.string().min(1).optional(),
  cgroupDriver: z.enum(["auto", "systemd", "cgroupfs"]).default("auto"),
  stateDir: z.string().min(1).default("/var/lib/gpu-steward"),
  metricsPort: z.number().int().min(0).max(65535).default(8081),
  bindAddress: z.string().min(1).default("0.0.0.0"),
  /** Path on the host (joined to --host-root); "" turns pod-resources off. */
  podResourcesSocket: z.string().default(DEFAULT_POD_RESOURCES_SOCKET),
  tenantMetricsDir: z.string().default(DEFAULT_TENANT_METRICS_DIR),
  scrape: z
    .object({
      timeoutMs: z.number().int().min(50).default(2_000),
      minSamples: z.number().int().min(1).default(5),
      concurrency: z.number().int().min(1).max(256).default(16),
    })
    .prefault({}),
  mitigation: z
    .object({
      /** Tier 1 (cgroup throttling of opted-in neighbours). Off: judge and report only. */
      enabled: z.boolean().default(true),
      /** A throttle not tightened for this long is undone even if its victim has not recovered. */
      maxAgeSeconds: z.number().int().min(60).default(1800),
      /** Tier 2: the mig-parted layout to ask for through `nvidia.com/mig.config`; absent = Tier 2 off. */
      migLayout: z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, "expected a label value (a mig-parted config name)").optional(),
      /** Violations in a row that Tier 1 could not act on before the layout is asked for. */
      tier2AfterViolations: z.number().int().min(1).default(3),
      /**
       * Nodes without the GPU operator: apply the layout with nvidia-smi (only on an idle GPU already in
       * MIG mode), from this mig-parted config file, instead of setting the operator's label.
       */
      migDirect: z.boolean().default(false),
      migPartedConfig: z.string().min(1).optional(),
    })
    .superRefine((m, ctx) => {
      if (!m.migDirect) return;
      if (m.migLayout === undefined) ctx.addIssue({ code: "custom", path: ["migLayout"], message: "required with --mig-direct: the layout to apply" });
      if (m.migPartedConfig === undefined) ctx.addIssue({ code: "custom", path: ["migPartedConfig"], message: "required with --mig-direct: the mig-parted config file holding the layout" });
    })
    .prefault({}),
  slo: SloPolicy.prefault({}),
  throttle: ThrottlePolicy.prefault({}),
  kube: z.object({ kubeconfig: z.string().min(1).optional() }).prefault({}),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

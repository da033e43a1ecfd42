/**
 * `status.topology`: core/topology's TopologyReport (what the extender's ClusterView.setTopology takes)
 * plus per-GPU MIG facts and a content hash. It is built with `safeExtend`, which keeps every check of
 * TopologyReport (sorted GPUs, square symmetric links, canonical cpulists), so any valid NodeReportTopology
 * also parses as a TopologyReport: `parseTopologyReport(status.topology)` is how the extender reads it.
 *
 * Two fields differ from a first guess at the shape, on purpose: the GPU's product name is `model`
 * (TopologyReport's name for it), and an unknown CPU affinity is `""`, not null, because that is
 * what TopologyReport requires.
 */
import { z } from "zod";
import type { MigMode } from "../gpu/index.js";
import { MAX_REPORT_GPUS, MAX_REPORT_NICS, NumaNodeDistances, TopologyGpu, TopologyNic, TopologyReport } from "../topology/index.js";
import { DeviceId } from "./fields.js";
import { uniqueBy } from "./listKeys.js";
import { TOPOLOGY_HASH, topologyHash } from "./topologyHash.js";

/** MIG devices on one GPU: 7 on A100/H100 today; room for larger parts. */
export const MAX_MIG_DEVICES = 32;

/** `unsupported`: the GPU has no MIG (`[N/A]`); null: the agent could not read the mode. */
export const ReportMigMode = z.enum(["enabled", "disabled", "unsupported"]).nullable();
export type ReportMigMode = z.infer<typeof ReportMigMode>;

/** core/gpu's reading (`mig.mode.current`; null for `[N/A]`) in the report's words. */
export function migModeForReport(mode: MigMode | null): "enabled" | "disabled" | "unsupported" {
  return mode === "Enabled" ? "enabled" : mode === "Disabled" ? "disabled" : "unsupported";
}

/** A MIG device as `nvidia-smi -L` lists it: the UUID is what pod-resources reports for MIG resources. */
export const ReportMigDevice = z.object({
  uuid: DeviceId,
  /** Without the `MIG ` prefix: `1g.10gb`. */
  profile: z.string().min(1).max(32),
  /** nvidia-smi's MIG device index on that GPU. */
  deviceIndex: z.number().int().min(0).max(255),
});
export type ReportMigDevice = z.infer<typeof ReportMigDevice>;

export const NodeReportGpu = TopologyGpu.extend({
  migMode: ReportMigMode,
  migDevices: z
    .array(ReportMigDevice)
    .max(MAX_MIG_DEVICES)
    .superRefine(uniqueBy<ReportMigDevice>("MIG device uuid", (d) => d.uuid))
    .optional(),
});
export type NodeReportGpu = z.infer<typeof NodeReportGpu>;

const LinkToken = TopologyNic.shape.links.element;

export const NodeReportTopology = TopologyReport.safeExtend({
  gpus: z.array(NodeReportGpu).max(MAX_REPORT_GPUS),
  // Bounded here (TopologyReport's square check already ties both sizes to the GPU count).
  links: z.array(z.array(LinkToken).max(MAX_REPORT_GPUS)).max(MAX_REPORT_GPUS),
  nics: z
    .array(TopologyNic)
    .max(MAX_REPORT_NICS)
    .superRefine(uniqueBy<TopologyNic>("NIC name", (n) => n.name)),
  numaNodes: z.array(NumaNodeDistances).max(MAX_REPORT_GPUS).optional(),
  /** `topologyHash` of everything else in this object. */
  hash: z.string().regex(TOPOLOGY_HASH, "expected fnv1a64:<16 hex digits>"),
});
export type NodeReportTopology = z.infer<typeof NodeReportTopology>;

/** The topology with its hash filled in. */
export function withTopologyHash(topology: Omit<NodeReportTopology, "hash">): NodeReportTopology {
  return { ...topology, hash: topologyHash(topology) };
}

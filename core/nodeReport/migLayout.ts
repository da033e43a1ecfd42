/**
 * `status.migLayout`: the GPU and compute instances on each MIG-enabled GPU, as `nvidia-smi mig -lgi`
 * and `-lci` list them (core/gpu/migInstances.ts). GPUs without instances are left out.
 */
import { z } from "zod";
import type { MigComputeInstance, MigGpuInstance, MigPlacement } from "../gpu/index.js";
import { MAX_REPORT_GPUS } from "../topology/index.js";
import { NodeReportInputError } from "./errors.js";
import { uniqueBy } from "./listKeys.js";

/** At most 7 GIs per GPU and 7 CIs per GI on today's parts (8 memory slices); room above that. */
export const MAX_MIG_INSTANCES = 16;

/** `start:size` in memory slices; absent where the driver printed no Placement column (see report.ts on null objects). */
export const ReportMigPlacement = z.object({
  start: z.number().int().min(0).max(255),
  size: z.number().int().min(1).max(256),
});

const instanceFields = {
  /** GI or CI id, as the driver assigned it (not in placement order). */
  id: z.number().int().min(0).max(1024),
  /** `1g.10gb`, or `1c.3g.40gb` for a CI that divides its GI. */
  profile: z.string().min(1).max(32),
  profileId: z.number().int().min(0).max(1024),
  placement: ReportMigPlacement.optional(),
};

export const ReportComputeInstance = z.object(instanceFields);
export type ReportComputeInstance = z.infer<typeof ReportComputeInstance>;

export const ReportGpuInstance = z.object({
  ...instanceFields,
  computeInstances: z
    .array(ReportComputeInstance)
    .max(MAX_MIG_INSTANCES)
    .superRefine(uniqueBy<ReportComputeInstance>("compute instance id", (c) => String(c.id))),
});
export type ReportGpuInstance = z.infer<typeof ReportGpuInstance>;

export const GpuMigLayout = z.object({
  /** nvidia-smi index of the GPU. */
  gpu: z.number().int().min(0).max(MAX_REPORT_GPUS * 4),
  gpuInstances: z
    .array(ReportGpuInstance)
    .max(MAX_MIG_INSTANCES)
    .superRefine(uniqueBy<ReportGpuInstance>("GPU instance id", (g) => String(g.id))),
});
export type GpuMigLayout = z.infer<typeof GpuMigLayout>;

export const MigLayout = z
  .array(GpuMigLayout)
  .max(MAX_REPORT_GPUS)
  .superRefine(uniqueBy<GpuMigLayout>("GPU index", (g) => String(g.gpu)));
export type MigLayout = z.infer<typeof MigLayout>;

function placementOf(p: MigPlacement | null): { placement?: z.infer<typeof ReportMigPlacement> } {
  return p === null ? {} : { placement: { start: p.start, size: p.size } };
}

/**
 * Groups parsed `-lgi` and `-lci` rows into the report's layout: GPUs by index, instances by id (so an
 * unchanged layout serialises the same). A CI whose GI is not in `gpuInstances` means the two commands
 * saw different layouts (a reconfiguration in between): NodeReportInputError, and the agent reads again.
 */
export function migLayoutFromInstances(gpuInstances: readonly MigGpuInstance[], computeInstances: readonly MigComputeInstance[]): MigLayout {
  const byGpu = new Map<number, ReportGpuInstance[]>();
  const gis = new Map<string, ReportGpuInstance>();
  for (const gi of gpuInstances) {
    const entry: ReportGpuInstance = { id: gi.gpuInstanceId, profile: gi.profile, profileId: gi.profileId, ...placementOf(gi.placement), computeInstances: [] };
    gis.set(`${gi.gpu}/${gi.gpuInstanceId}`, entry);
    const list = byGpu.get(gi.gpu) ?? [];
    list.push(entry);
    byGpu.set(gi.gpu, list);
  }
  computeInstances.forEach((ci, k) => {
    const gi = gis.get(`${ci.gpu}/${ci.gpuInstanceId}`);
    if (gi === undefined) throw new NodeReportInputError(`computeInstances.${k}`, `GPU ${ci.gpu} has no GPU instance ${ci.gpuInstanceId}`);
    gi.computeInstances.push({ id: ci.computeInstanceId, profile: ci.profile, profileId: ci.profileId, ...placementOf(ci.placement) });
  });
  return [...byGpu.entries()]
    .sort(([a], [b]) => a - b)
    .map(([gpu, list]) => ({
      gpu,
      gpuInstances: list.sort((a, b) => a.id - b.id).map((gi) => ({ ...gi, computeInstances: gi.computeInstances.sort((a, b) => a.id - b.id) })),
    }));
}

import { z } from "zod";
import { BUS_ID } from "./busId.js";
import { formatCpuList, MAX_CPU_ID, parseCpuList } from "./cpuList.js";
import { TopologyInputError } from "./errors.js";
import { LINK_TOKEN } from "./linkClass.js";

/*
 * The topology part of a NodeReport: what the node agent writes and the extender reads. Compact (an
 * 8-GPU, 12-NIC node is about 2 KB of JSON) and stable: GPUs sorted by index, links as nvidia-smi's own
 * tokens, cpulists in the kernel's merged form, so an unchanged node serialises to the same bytes and the
 * agent can skip the write by hash. New fields may only be added as optional. See README.md.
 */

/** A link token as nvidia-smi prints it (`X`, `NV12`, `PIX`, … `SYS`; unknown tokens kept). */
const LinkToken = z.string().regex(LINK_TOKEN, "expected a link token such as NV12, PIX or SYS");

/** Upper bounds that keep a report small, far above real nodes (8-16 GPUs, up to ~18 NIC ports). */
export const MAX_REPORT_GPUS = 256;
export const MAX_REPORT_NICS = 256;

const CpuListText = z
  .string()
  .max(4096)
  .superRefine((text, ctx) => {
    try {
      const canonical = formatCpuList(parseCpuList(text));
      if (canonical !== text) ctx.addIssue({ code: "custom", message: `expected the merged form "${canonical}"` });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
    }
  });

export const TopologyGpu = z.object({
  /** nvidia-smi / NVML index (`GPU3` → 3). */
  index: z.number().int().min(0).max(MAX_REPORT_GPUS * 4),
  uuid: z.string().min(1).max(128).optional(),
  /** sysfs form, `0000:18:00.0` (see normaliseBusId). */
  busId: z.string().regex(BUS_ID, "expected a bus id in sysfs form, e.g. 0000:18:00.0"),
  model: z.string().min(1).max(128).optional(),
  memoryMiB: z.number().int().min(0).optional(),
  /** The CPU-side NUMA node the GPU hangs off; null when unknown (N/A, or an affinity spanning nodes). */
  numaNode: z.number().int().min(0).max(MAX_CPU_ID).nullable(),
  /** CPUs local to the GPU as a kernel cpulist; "" when unknown (e.g. nvidia-smi inside a cpuset). */
  cpuAffinity: CpuListText,
  /** The GPU's own memory NUMA node (Grace/C2C parts); absent elsewhere. */
  gpuNumaId: z.number().int().min(0).max(MAX_CPU_ID).optional(),
});
export type TopologyGpu = z.infer<typeof TopologyGpu>;

export const TopologyNic = z.object({
  /** Device name (`mlx5_0`), or the column label when the driver printed no NIC legend. */
  name: z.string().min(1).max(64),
  /** Link from this NIC to each GPU, in `gpus` order. */
  links: z.array(LinkToken),
});
export type TopologyNic = z.infer<typeof TopologyNic>;

/** One row of the kernel's NUMA distance table (`/sys/devices/system/node/nodeN/distance`). */
export const NumaNodeDistances = z.object({
  id: z.number().int().min(0).max(MAX_CPU_ID),
  /** Distance to each entry of `numaNodes`, in that order (SLIT values: 10 local, ≥ 20 remote). */
  distances: z.array(z.number().int().min(0).max(255)),
});
export type NumaNodeDistances = z.infer<typeof NumaNodeDistances>;

export const TopologyReport = z
  .object({
    /** Where the links came from; `sysfs` cannot see NVLink, so its links are PCIe classes only. */
    linkSource: z.enum(["nvidia-smi", "sysfs"]),
    gpus: z.array(TopologyGpu).max(MAX_REPORT_GPUS),
    /** `links[i][j]`: link between gpus[i] and gpus[j]; square, symmetric, `X` on the diagonal. */
    links: z.array(z.array(LinkToken)),
    nics: z.array(TopologyNic).max(MAX_REPORT_NICS),
    /** Optional NUMA distance table; lets scoring tell NUMA nodes of one socket from two sockets. */
    numaNodes: z.array(NumaNodeDistances).max(MAX_REPORT_GPUS).optional(),
  })
  .superRefine((r, ctx) => {
    const n = r.gpus.length;
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    r.gpus.forEach((g, i) => {
      const prev = r.gpus[i - 1];
      if (prev && prev.index >= g.index) issue(["gpus", i, "index"], "expected GPUs sorted by index, each index once");
    });
    if (r.links.length !== n) issue(["links"], `expected ${n} rows, one per GPU`);
    r.links.forEach((row, i) => {
      if (row.length !== n) return issue(["links", i], `expected ${n} entries, one per GPU`);
      row.forEach((token, j) => {
        if ((i === j) !== (token === "X")) issue(["links", i, j], i === j ? "expected X on the diagonal" : "X off the diagonal");
        else if (j < i && r.links[j]?.[i] !== token) issue(["links", i, j], `differs from links.${j}.${i}`);
      });
    });
    r.nics.forEach((nic, k) => {
      if (nic.links.length !== n) issue(["nics", k, "links"], `expected ${n} entries, one per GPU`);
      nic.links.forEach((token, j) => {
        if (token === "X") issue(["nics", k, "links", j], "X between a NIC and a GPU");
      });
    });
    const numa = r.numaNodes;
    if (numa) {
      numa.forEach((node, i) => {
        const prev = numa[i - 1];
        if (prev && prev.id >= node.id) issue(["numaNodes", i, "id"], "expected nodes sorted by id, each id once");
        if (node.distances.length !== numa.length) issue(["numaNodes", i, "distances"], `expected ${numa.length} entries`);
      });
      const ids = new Set(numa.map((node) => node.id));
      r.gpus.forEach((g, i) => {
        if (g.numaNode !== null && !ids.has(g.numaNode)) issue(["gpus", i, "numaNode"], "not in numaNodes");
      });
    }
  });
export type TopologyReport = z.infer<typeof TopologyReport>;

/**
 * Checks a topology read from outside (a NodeReport from the API server, a test fixture). Throws
 * TopologyInputError naming the first bad field, e.g. `topology.links.2.5: differs from links.5.2`.
 */
export function parseTopologyReport(input: unknown, field = "topology"): TopologyReport {
  const parsed = TopologyReport.safeParse(input);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  throw new TopologyInputError([field, ...(first?.path ?? [])].map(String).join("."), first?.message ?? "invalid");
}

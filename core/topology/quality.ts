import type { Link } from "./linkClass.js";

/*
 * How good one GPU pair is for collective traffic, in integer points so that sums over pairs are exact
 * and equal subsets tie exactly (the tie-break then picks the lowest indices, not a rounding accident).
 *
 *   pairPoints = linkPoints × placementPercent          0 … 10 000
 *
 * linkPoints follows nvidia-smi's own ranking, closest first. NVLink sits well above any PCIe path
 * (even the best PCIe switch hop shares a x16 link); more bonded links rank higher on nodes that mix
 * NV1/NV2 (DGX-1 hybrid cube mesh). An unknown token counts as SYS: a driver's new class is no reason to
 * prefer a pair. placementPercent charges for the CPU side: host memory and data loading cross the
 * socket interconnect when a job spans sockets, even if the GPUs talk over NVLink.
 */

/** Points of a PCIe-class link (and of an unknown token). */
export const LINK_POINTS = { PIX: 60, PXB: 50, PHB: 40, NODE: 30, SYS: 10, unknown: 10 } as const;
/** NV#: 90 + 10 × (# ÷ the most bonded links of any pair on the node), so the node's best NVLink is 100. */
export const NVLINK_BASE_POINTS = 90;
export const MAX_LINK_POINTS = 100;

/** Same NUMA node, or NUMA unknown for either GPU (nothing to charge for). */
export const SAME_NUMA_PERCENT = 100;
/** Different NUMA nodes whose kernel distance says they share a socket (AMD NPS2/4, Intel SNC). */
export const SAME_SOCKET_PERCENT = 90;
/** Different NUMA nodes on different sockets, or whose relation is unknown (no distance table). */
export const CROSS_SOCKET_PERCENT = 75;

/**
 * Linux's REMOTE_DISTANCE: SLIT distances below it are nodes of one package (NPS4 shows 11-12, SNC 12)
 * while another socket is ≥ 20 (typically 21 or 32).
 */
export const REMOTE_DISTANCE = 20;

export const MAX_PAIR_POINTS = MAX_LINK_POINTS * SAME_NUMA_PERCENT;

export function linkPoints(link: Link, maxNvlinksOnNode: number): number {
  switch (link.kind) {
    case "self":
      return MAX_LINK_POINTS;
    case "nvlink":
      return NVLINK_BASE_POINTS + Math.round(((MAX_LINK_POINTS - NVLINK_BASE_POINTS) * link.nvlinks) / Math.max(1, maxNvlinksOnNode, link.nvlinks));
    case "PIX":
    case "PXB":
    case "PHB":
    case "NODE":
    case "SYS":
    case "unknown":
      return LINK_POINTS[link.kind];
  }
}

/** `sameSocket` is undefined when the node reported no distance table. */
export function placementPercent(numaA: number | null, numaB: number | null, sameSocket: boolean | undefined): number {
  if (numaA === null || numaB === null || numaA === numaB) return SAME_NUMA_PERCENT;
  return sameSocket === true ? SAME_SOCKET_PERCENT : CROSS_SOCKET_PERCENT;
}

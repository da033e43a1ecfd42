/**
 * The connection classes `nvidia-smi topo -m` prints between two devices, closest first:
 * NV# (a bonded set of # NVLinks), PIX (at most one PCIe bridge), PXB (several PCIe bridges, no host
 * bridge), PHB (through a PCIe host bridge), NODE (between host bridges inside one NUMA node), SYS
 * (across the SMP interconnect between NUMA nodes). `self` is the diagonal (`X`). Tokens nvidia-smi may
 * add later are kept verbatim as `unknown` rather than rejected, so a new driver does not stop the agent.
 */
export type LinkClass = "self" | "nvlink" | "PIX" | "PXB" | "PHB" | "NODE" | "SYS" | "unknown";

export interface Link {
  readonly kind: LinkClass;
  /** Normalised token: `X`, `NV12`, `PIX`, … `SYS`; an unknown token as printed. What a report stores. */
  readonly token: string;
  /** Bonded NVLinks for `nvlink` (NV12 → 12); 0 otherwise. */
  readonly nvlinks: number;
}

const PCIE: ReadonlySet<string> = new Set(["PIX", "PXB", "PHB", "NODE", "SYS"]);
const NVLINK = /^NV([1-9]\d{0,2})$/;

/** Whether a token can stand in a matrix cell or a report at all (one word, printable, short). */
export const LINK_TOKEN = /^[A-Za-z0-9#_+.-]{1,16}$/;

/**
 * Reads one matrix cell (already trimmed). Drivers before the SYS/NODE split printed `SOC` for the
 * cross-socket path; it is read as SYS so old and new outputs score the same.
 */
export function parseLinkToken(token: string): Link {
  if (token === "X") return { kind: "self", token, nvlinks: 0 };
  if (token === "SOC") return { kind: "SYS", token: "SYS", nvlinks: 0 };
  if (PCIE.has(token)) return { kind: token as LinkClass, token, nvlinks: 0 };
  const nv = NVLINK.exec(token);
  if (nv) return { kind: "nvlink", token, nvlinks: Number(nv[1]) };
  return { kind: "unknown", token, nvlinks: 0 };
}

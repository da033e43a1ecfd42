import { GpuTextError } from "./errors.js";

/** A MIG device under its GPU in `nvidia-smi -L`: the UUID kubelet's pod-resources reports for MIG resources. */
export interface ListedMigDevice {
  /** `3g.40gb`, without the `MIG ` prefix. */
  readonly profile: string;
  /** nvidia-smi's MIG device index on that GPU (`Device  1`). */
  readonly deviceIndex: number;
  /** `MIG-8aa1fc52-…` (older drivers: `MIG-GPU-<uuid>/<gi>/<ci>`). */
  readonly uuid: string;
}

export interface ListedGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid: string;
  readonly migDevices: readonly ListedMigDevice[];
}

// `GPU 0: NVIDIA H100 PCIe (UUID: GPU-7cd6d4d6-…)`
const GPU_LINE = /^GPU (\d+): (.+) \(UUID: ([^)\s]+)\)$/;
// `  MIG 1g.10gb     Device  1: (UUID: MIG-8aa1fc52-…)`
const MIG_LINE = /^MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)\s]+)\)$/;

/** Reads `nvidia-smi -L`: each GPU with the MIG devices listed under it. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: { index: number; name: string; uuid: string; migDevices: ListedMigDevice[] }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    const g = GPU_LINE.exec(l);
    if (g) {
      gpus.push({ index: Number(g[1]), name: g[2] ?? "", uuid: g[3] ?? "", migDevices: [] });
      return;
    }
    const m = MIG_LINE.exec(l);
    const parent = gpus[gpus.length - 1];
    if (!m || !parent) throw new GpuTextError(i + 1, "-L", `"${l}" is neither a GPU line nor a MIG device under one`);
    parent.migDevices.push({ profile: m[1] ?? "", deviceIndex: Number(m[2]), uuid: m[3] ?? "" });
  });
  return gpus;
}

import {
  type ListedMigDevice,
  type MigComputeInstance,
  type MigGpuInstance,
  type MigProfile,
  parseGpuList,
  parseMigComputeInstances,
  parseMigGpuInstances,
  parseMigProfiles,
} from "../../core/gpu/index.js";
import type { DiscoveredGpu } from "./gpu.js";

/** A MIG device from `nvidia-smi -L`, with the GPU it belongs to. */
export interface MigDevice extends ListedMigDevice {
  readonly gpu: number;
  readonly gpuUuid: string;
}

/** The node's MIG state: what exists (GIs, CIs, devices) and what could be created (profiles). */
export interface MigLayout {
  readonly gpuInstances: readonly MigGpuInstance[];
  readonly computeInstances: readonly MigComputeInstance[];
  readonly devices: readonly MigDevice[];
  readonly profiles: readonly MigProfile[];
}

export const NO_MIG: MigLayout = Object.freeze({ gpuInstances: [], computeInstances: [], devices: [], profiles: [] });

/** The texts of `mig -lgi`, `mig -lci`, `-L` and `mig -lgip`; undefined where the command failed. */
export interface MigTexts {
  readonly gpuInstances?: string;
  readonly computeInstances?: string;
  readonly list?: string;
  readonly profiles?: string;
}

/**
 * Reads the MIG listings and checks them against the inventory. Parse failures and disagreements are
 * problems, never throws: a listing that names a GPU whose MIG mode is not Enabled, or a `-L` UUID that
 * differs from `--query-gpu`'s, means the commands saw different states (a reconfiguration in between)
 * and the next cycle should be trusted instead.
 */
export function readMigLayout(texts: MigTexts, gpus: readonly DiscoveredGpu[]): { mig: MigLayout; problems: string[] } {
  const problems: string[] = [];
  const parse = <T>(what: string, text: string | undefined, parser: (t: string) => T[]): T[] => {
    if (text === undefined) return [];
    try {
      return parser(text);
    } catch (err) {
      problems.push(`nvidia-smi ${what}: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }
  };
  const gpuInstances = parse("mig -lgi", texts.gpuInstances, parseMigGpuInstances);
  const computeInstances = parse("mig -lci", texts.computeInstances, parseMigComputeInstances);
  const listed = parse("-L", texts.list, parseGpuList);
  const profiles = parse("mig -lgip", texts.profiles, parseMigProfiles);

  const byIndex = new Map(gpus.map((g) => [g.index, g]));
  const migGpus = new Set([...gpuInstances, ...computeInstances].map((x) => x.gpu));
  for (const index of [...migGpus].sort((a, b) => a - b)) {
    const mode = byIndex.get(index)?.migMode.current;
    if (mode !== "Enabled") problems.push(`mig: GPU ${index} has MIG instances but its MIG mode is ${mode ?? "unknown"}`);
  }
  const devices: MigDevice[] = [];
  for (const g of listed) {
    const known = byIndex.get(g.index);
    if (known && known.uuid !== null && known.uuid !== g.uuid) {
      problems.push(`nvidia-smi -L: GPU ${g.index} is ${g.uuid}, --query-gpu said ${known.uuid}`);
    }
    for (const d of g.migDevices) devices.push({ ...d, gpu: g.index, gpuUuid: g.uuid });
  }
  return { mig: { gpuInstances, computeInstances, devices, profiles }, problems };
}

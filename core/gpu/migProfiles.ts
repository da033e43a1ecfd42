import { GpuTextError } from "./errors.js";
import { boxedTableRows } from "./migTable.js";

/** One GPU instance profile as `nvidia-smi mig -lgip` lists it for one GPU. */
export interface MigProfile {
  readonly gpu: number;
  /** Without the `MIG ` prefix: `1g.10gb`, `1g.10gb+me`, `7g.80gb`. */
  readonly name: string;
  /** GI profile id (19 = 1g.10gb … 0 = 7g.80gb; stable across A100-80GB and H100-80GB, spec §3.1). */
  readonly profileId: number;
  readonly instancesFree: number;
  readonly instancesTotal: number;
  readonly memoryGiB: number;
  /** Null where the driver prints no P2P column (older drivers). */
  readonly p2p: boolean | null;
  readonly multiprocessors: number;
  readonly decoders: number;
  readonly encoders: number;
  /** From the profile's second line (CE, JPEG, OFA); null when that line is missing. */
  readonly copyEngines: number | null;
  readonly jpegDecoders: number | null;
  readonly opticalFlowAccelerators: number | null;
}

// `|   0  MIG 1g.10gb       19     7/7        9.75       No     16     1     0   |` (P2P optional: spec §3.2)
const PROFILE = /^(\d+)\s+MIG\s+(\S+)\s+(\d+)\s+(\d+)\/(\d+)\s+(\d+(?:\.\d+)?)\s+(?:(Yes|No)\s+)?(\d+)\s+(\d+)\s+(\d+)$/;
// `|                                                             1     1     0   |`
const ENGINES = /^(\d+)\s+(\d+)\s+(\d+)$/;

/** Reads `nvidia-smi mig -lgip`. Throws GpuTextError naming the line of a row it cannot read. */
export function parseMigProfiles(text: string): MigProfile[] {
  const profiles: MigProfile[] = [];
  for (const row of boxedTableRows(text, "mig -lgip")) {
    const p = PROFILE.exec(row.cells);
    if (p) {
      profiles.push({
        gpu: Number(p[1]),
        name: p[2] ?? "",
        profileId: Number(p[3]),
        instancesFree: Number(p[4]),
        instancesTotal: Number(p[5]),
        memoryGiB: Number(p[6]),
        p2p: p[7] === undefined ? null : p[7] === "Yes",
        multiprocessors: Number(p[8]),
        decoders: Number(p[9]),
        encoders: Number(p[10]),
        copyEngines: null,
        jpegDecoders: null,
        opticalFlowAccelerators: null,
      });
      continue;
    }
    const e = ENGINES.exec(row.cells);
    const last = profiles[profiles.length - 1];
    if (!e || !last || last.copyEngines !== null) {
      throw new GpuTextError(row.line, "mig -lgip", `"${row.cells}" is not a profile row or its engine line`);
    }
    profiles[profiles.length - 1] = { ...last, copyEngines: Number(e[1]), jpegDecoders: Number(e[2]), opticalFlowAccelerators: Number(e[3]) };
  }
  return profiles;
}

/** Where a profile's instances may start, from `nvidia-smi mig -lgipp`; in memory slices (8 per GPU). */
export interface MigPlacements {
  readonly gpu: number;
  readonly profileId: number;
  readonly starts: readonly number[];
  readonly size: number;
}

// `GPU  0 Profile ID 19 Placements: {0,1,2,3,4,5,6}:1` and, for one placement, `… Placement : {0}:4`
const PLACEMENTS = /^GPU\s+(\d+)\s+Profile ID\s+(\d+)\s+Placements?\s*:\s*\{(\d+(?:,\d+)*)\}:(\d+)$/;

/** Reads `nvidia-smi mig -lgipp`. Blank lines are skipped; any other line it cannot read throws. */
export function parseMigPlacements(text: string): MigPlacements[] {
  const out: MigPlacements[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    const m = PLACEMENTS.exec(l);
    if (!m) throw new GpuTextError(i + 1, "mig -lgipp", `"${l}" is not a placement line`);
    out.push({ gpu: Number(m[1]), profileId: Number(m[2]), starts: (m[3] ?? "").split(",").map(Number), size: Number(m[4]) });
  });
  return out;
}

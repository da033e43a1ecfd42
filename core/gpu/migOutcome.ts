import { normaliseBusId } from "../topology/index.js";

/**
 * What a MIG change printed, line by line: `-cgi … -C`, `-dci`, `-dgi` and `-mig 0|1`. Tier 2 reads it to
 * learn the ids the driver assigned (not in placement order: 13, 11, 12, 7, … in the cgi fixture) and
 * which steps succeeded before a failure.
 */
export type MigOutcomeEvent =
  | { readonly kind: "gi-created"; readonly gpu: number; readonly gpuInstanceId: number; readonly profile: string; readonly profileId: number }
  | {
      readonly kind: "ci-created";
      readonly gpu: number;
      readonly gpuInstanceId: number;
      readonly computeInstanceId: number;
      readonly profile: string;
      readonly profileId: number;
    }
  | { readonly kind: "ci-destroyed"; readonly gpu: number; readonly gpuInstanceId: number; readonly computeInstanceId: number }
  | { readonly kind: "gi-destroyed"; readonly gpu: number; readonly gpuInstanceId: number }
  | { readonly kind: "mig-mode-set"; readonly busId: string; readonly mode: "Enabled" | "Disabled" };

export interface MigOutcome {
  readonly events: readonly MigOutcomeEvent[];
  /** Lines that are none of the above (warnings, errors, `All done.`), with 1-based line numbers. */
  readonly otherLines: readonly { readonly line: number; readonly text: string }[];
}

// Ids are printed `%2d`, hence `\s+` before each number ("GPU instance ID  7 on GPU  0").
const GI_CREATED = /^Successfully created GPU instance ID\s+(\d+) on GPU\s+(\d+) using profile MIG (\S+) \(ID\s+(\d+)\)$/;
const CI_CREATED =
  /^Successfully created compute instance ID\s+(\d+) on GPU\s+(\d+) GPU instance ID\s+(\d+) using profile MIG (\S+) \(ID\s+(\d+)\)$/;
const CI_DESTROYED = /^Successfully destroyed compute instance ID\s+(\d+) from GPU\s+(\d+) GPU instance ID\s+(\d+)$/;
const GI_DESTROYED = /^Successfully destroyed GPU instance ID\s+(\d+) from GPU\s+(\d+)$/;
const MODE_SET = /^(Enabled|Disabled) MIG Mode for GPU ([0-9A-Fa-f]{1,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])$/;

export function parseMigOutcome(text: string): MigOutcome {
  const events: MigOutcomeEvent[] = [];
  const otherLines: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const l = raw.trim();
    if (l === "") return;
    let m: RegExpExecArray | null;
    if ((m = GI_CREATED.exec(l))) {
      events.push({ kind: "gi-created", gpuInstanceId: Number(m[1]), gpu: Number(m[2]), profile: m[3] ?? "", profileId: Number(m[4]) });
    } else if ((m = CI_CREATED.exec(l))) {
      events.push({
        kind: "ci-created",
        computeInstanceId: Number(m[1]),
        gpu: Number(m[2]),
        gpuInstanceId: Number(m[3]),
        profile: m[4] ?? "",
        profileId: Number(m[5]),
      });
    } else if ((m = CI_DESTROYED.exec(l))) {
      events.push({ kind: "ci-destroyed", computeInstanceId: Number(m[1]), gpu: Number(m[2]), gpuInstanceId: Number(m[3]) });
    } else if ((m = GI_DESTROYED.exec(l))) {
      events.push({ kind: "gi-destroyed", gpuInstanceId: Number(m[1]), gpu: Number(m[2]) });
    } else if ((m = MODE_SET.exec(l))) {
      events.push({ kind: "mig-mode-set", mode: m[1] === "Enabled" ? "Enabled" : "Disabled", busId: normaliseBusId(m[2] ?? "") });
    } else {
      otherLines.push({ line: i + 1, text: l });
    }
  });
  return { events, otherLines };
}

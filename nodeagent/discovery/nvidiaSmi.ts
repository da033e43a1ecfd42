import { COMPUTE_APPS_FIELDS, GPU_QUERY_FIELDS } from "../../core/gpu/index.js";
import { type CommandRunner, isCommandError } from "./commandRunner.js";

/** The nvidia-smi invocations discovery makes; all read-only. */
export const SMI_ARGS = {
  gpus: [`--query-gpu=${GPU_QUERY_FIELDS.join(",")}`, "--format=csv,noheader,nounits"],
  topology: ["topo", "-m"],
  computeApps: [`--query-compute-apps=${COMPUTE_APPS_FIELDS.join(",")}`, "--format=csv,noheader,nounits"],
  gpuInstances: ["mig", "-lgi"],
  computeInstances: ["mig", "-lci"],
  migProfiles: ["mig", "-lgip"],
  list: ["-L"],
  details: ["-q", "-x"],
} as const satisfies Record<string, readonly string[]>;

/**
 * Without persistence mode every nvidia-smi call initialises the driver for each GPU, which takes
 * seconds on an 8-GPU node; a call still running after 10 s is wedged (a GPU in a bad state) and
 * waiting longer only delays the report.
 */
export const DEFAULT_SMI_TIMEOUT_MS = 10_000;

/** How discovery reaches nvidia-smi: the runner, the binary (`--nvidia-smi PATH`) and the per-call limit. */
export interface SmiInvoker {
  readonly runner: CommandRunner;
  readonly file: string;
  readonly timeoutMs: number;
}

export type SmiOutput =
  | { readonly ok: true; readonly text: string }
  /** `unavailable`: nvidia-smi could not run or finish, so later calls would fail the same way. */
  | { readonly ok: false; readonly problem: string; readonly unavailable: boolean };

/** `nvidia-smi mig -l…` exit non-zero when there is nothing to list; that is an empty listing, not a failure. */
const NOTHING_FOUND = /^No .*\bfound\b/i;

export async function runSmi(smi: SmiInvoker, args: readonly string[], options: { nothingFoundIsEmpty?: boolean } = {}): Promise<SmiOutput> {
  const command = `${smi.file} ${args.join(" ")}`;
  try {
    const r = await smi.runner.run(smi.file, args, { timeoutMs: smi.timeoutMs });
    if (r.exitCode === 0) return { ok: true, text: r.stdout };
    const said = `${r.stdout}\n${r.stderr}`
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    if (options.nothingFoundIsEmpty && said.length > 0 && said.every((l) => NOTHING_FOUND.test(l))) return { ok: true, text: said.join("\n") };
    return { ok: false, problem: `${command}: exit ${r.exitCode}: ${said[0] ?? "no output"}`, unavailable: false };
  } catch (err) {
    if (isCommandError(err)) return { ok: false, problem: `${command}: ${err.failure}: ${err.detail}`, unavailable: true };
    throw err;
  }
}

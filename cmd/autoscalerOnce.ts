/**
 * `steward autoscaler --once --data-path PATH [--profile v078|legacy-v070] --output json`: one
 * optimisation of the inference optimizer's input data, printed as ONE JSON document. PATH is a
 * directory holding the six `*-data.json` files, or one system-data document. For parity checks
 * against the original optimizer and for trying out data before the loop applies it.
 *
 * Exit codes: 0 every server allocated; 3 partial plan (some server saturated or infeasible, or
 * the original would fail: see `error`); 2 bad flags or bad input (the document names the file
 * and the field).
 */
import { join } from "node:path";
import {
  DEFAULT_INFERENCE_PROFILE,
  INFERENCE_DOCUMENT_NAMES,
  INFERENCE_PROFILES,
  decodeSystemDocument,
  decodeSystemDocuments,
  isInferenceProfile,
  optimize,
  shortestFloat32,
  type DecodeResult,
  type InferenceInputError,
  type InferenceProfile,
  type OptimizationResult,
  type ServerAllocation,
  type ServerStatus,
} from "../core/inference/index.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";

export const autoscalerOnceOptions: readonly OptionSpec[] = [
  { flag: "once", path: "once", kind: "boolean", help: "run one optimisation of the data at --data-path, print it and exit" },
  { flag: "data-path", path: "dataPath", kind: "string", help: "directory with accelerator-, capacity-, model-, optimizer-, server- and serviceclass-data.json, or one system-data JSON file" },
  { flag: "profile", path: "profile", kind: "string", help: `optimizer generation to reproduce: ${INFERENCE_PROFILES.join(" | ")}`, defaultText: DEFAULT_INFERENCE_PROFILE },
  { flag: "output", path: "output", kind: "string", help: "output format: json", defaultText: "json" },
];

export type AutoscalerOnceFlags = Readonly<Record<string, string | boolean | undefined>>;
/** Reads a file as UTF-8 text; must throw with `code: "EISDIR"` for a directory (as fs.readFile does). */
export type ReadTextFile = (path: string) => string | Promise<string>;

export const EXIT_ALL_ALLOCATED = 0;
export const EXIT_BAD_INPUT = 2;
export const EXIT_PARTIAL_PLAN = 3;

export interface AutoscalerOnceReport {
  profile: InferenceProfile;
  /** The original optimizer's failure text when it would fail this cycle; "" otherwise. */
  error: string;
  totalCost: number;
  unitsByType: Record<string, { units: number; cost: number }>;
  allocations: Record<string, ServerAllocation>;
  status: Record<string, ServerStatus>;
  saturated: Record<string, boolean>;
}

function stringFlag(flags: AutoscalerOnceFlags, flag: string, what: string): string | undefined {
  const raw = flags[flag];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || raw.trim() === "") throw new StewardError("USAGE", `--${flag} needs a value (${what})`, flag);
  return raw.trim();
}

function errorCode(err: unknown): string | undefined {
  return (err as { code?: unknown }).code as string | undefined;
}

async function readInput(dataPath: string, readFile: ReadTextFile): Promise<DecodeResult> {
  const unreadable = (file: string, err: unknown): DecodeResult => {
    const reason = errorCode(err) === "ENOENT" ? "no such file" : `cannot read: ${(err as Error).message}`;
    return { ok: false, error: { file, field: "", message: `${file}: ${reason}` } };
  };
  let single: string;
  try {
    single = await readFile(dataPath);
  } catch (err) {
    if (errorCode(err) !== "EISDIR") return unreadable(dataPath, err);
    const texts: Record<string, string> = {};
    for (const name of INFERENCE_DOCUMENT_NAMES) {
      try {
        texts[name] = await readFile(join(dataPath, name));
      } catch (inner) {
        return unreadable(join(dataPath, name), inner);
      }
    }
    return decodeSystemDocuments(texts);
  }
  return decodeSystemDocument(dataPath, single);
}

/** Float32 figures printed in their shortest form, as the original's JSON shows them. */
function printable(result: OptimizationResult): AutoscalerOnceReport {
  const allocations: Record<string, ServerAllocation> = {};
  for (const [server, a] of Object.entries(result.allocations)) {
    allocations[server] = {
      ...a,
      cost: shortestFloat32(a.cost),
      itlAverage: shortestFloat32(a.itlAverage),
      ttftAverage: shortestFloat32(a.ttftAverage),
      load: {
        ...a.load,
        arrivalRate: shortestFloat32(a.load.arrivalRate),
        ...(a.load.throughput !== undefined && { throughput: shortestFloat32(a.load.throughput) }),
      },
    };
  }
  return {
    profile: result.profile,
    error: result.error,
    totalCost: result.totalCost,
    unitsByType: result.unitsByType,
    allocations,
    status: result.status,
    saturated: result.saturated,
  };
}

/**
 * Runs one optimisation and prints the report (or, for bad input, `{"inputError": {file, field,
 * message}}`); returns the exit code. Throws StewardError("USAGE") for bad flags.
 */
export async function runAutoscalerOnce(flags: AutoscalerOnceFlags, out: NodeJS.WritableStream, readFile: ReadTextFile): Promise<number> {
  if (flags.once !== true) throw new StewardError("USAGE", "--once is required: this command runs one optimisation and exits", "once");
  const dataPath = stringFlag(flags, "data-path", "a directory of *-data.json files or a system-data file");
  if (dataPath === undefined) throw new StewardError("USAGE", "--data-path is required (a directory of *-data.json files or a system-data file)", "data-path");
  const profile = stringFlag(flags, "profile", INFERENCE_PROFILES.join(" | ")) ?? DEFAULT_INFERENCE_PROFILE;
  if (!isInferenceProfile(profile)) throw new StewardError("USAGE", `--profile: expected ${INFERENCE_PROFILES.join(" or ")}, got ${JSON.stringify(profile)}`, "profile");
  const output = stringFlag(flags, "output", "json") ?? "json";
  if (output !== "json") throw new StewardError("USAGE", `--output: only json is supported, got ${JSON.stringify(output)}`, "output");

  const decoded = await readInput(dataPath, readFile);
  if (!decoded.ok) {
    const inputError: InferenceInputError = decoded.error;
    out.write(`${JSON.stringify({ inputError }, null, 2)}\n`);
    return EXIT_BAD_INPUT;
  }
  const result = optimize(decoded.system, profile);
  out.write(`${JSON.stringify(printable(result), null, 2)}\n`);
  return Object.values(result.status).every((s) => s === "allocated") && result.error === "" ? EXIT_ALL_ALLOCATED : EXIT_PARTIAL_PLAN;
}

/**
 * The fms-hf-tuning image's own launcher (`python /app/accelerate_launch.py`, the image CMD) takes
 * every setting from a JSON object: base64 in env SFT_TRAINER_CONFIG_JSON_ENV_VAR (wins when set)
 * or a file at SFT_TRAINER_CONFIG_JSON_PATH, usually a mounted ConfigMap whose content the webhook
 * hands in through `files`. Keys are the trainer's flag names plus `accelerate_launch_args`.
 */
import { envScope } from "./env.js";
import { argvOf } from "./locate.js";
import { applyField, DEFAULT_PER_DEVICE_BATCH, NOTED_IF_ABSENT, parseCount, readCount, TRAINER_FIELDS, type FieldInput } from "./settings.js";
import type { ContainerSpec, LaunchReadResult, LaunchRewrite, LaunchSettings, LaunchTarget } from "./types.js";

export const CONFIG_ENV_VAR = "SFT_TRAINER_CONFIG_JSON_ENV_VAR";
export const CONFIG_PATH_VAR = "SFT_TRAINER_CONFIG_JSON_PATH";
/** Image env (default "True"): when true the image overrides num_processes with the pod's GPU count. */
const SET_NUM_PROCESSES = "SET_NUM_PROCESSES_TO_NUM_GPUS";

type JsonObject = Record<string, unknown>;

type Found =
  | { readonly ok: true; readonly form: "env"; readonly envIndex: number; readonly config: JsonObject }
  | { readonly ok: true; readonly form: "path"; readonly path: string; readonly config: JsonObject }
  | { readonly ok: false; readonly reason: string };

/** The env entry that counts for `name` (Kubernetes: the last one), with its index. */
function lastEnv(container: ContainerSpec, name: string): { index: number; entry: NonNullable<ContainerSpec["env"]>[number] } | undefined {
  const env = container.env ?? [];
  for (let i = env.length - 1; i >= 0; i--) if (env[i]!.name === name) return { index: i, entry: env[i]! };
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function decodeBase64Json(text: string): JsonObject | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact === "" || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(compact, "base64").toString("utf8"));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function encodeBase64Json(config: JsonObject): string {
  return Buffer.from(JSON.stringify(config), "utf8").toString("base64");
}

/** Locates and decodes the JSON config; undefined when the container sets neither variable. */
function findConfig(container: ContainerSpec, files: ReadonlyMap<string, string> | undefined): Found | undefined {
  const envVar = lastEnv(container, CONFIG_ENV_VAR);
  // The image reads the env var first and only falls back to the path when it is empty.
  if (envVar !== undefined && (envVar.entry.valueFrom != null || (envVar.entry.value ?? "") !== "")) {
    if (envVar.entry.valueFrom != null) return { ok: false, reason: `${CONFIG_ENV_VAR} comes from valueFrom; its content is not available at admission` };
    const config = decodeBase64Json(envVar.entry.value!);
    if (config === undefined) return { ok: false, reason: `${CONFIG_ENV_VAR} is not a base64-encoded JSON object (pickled configs cannot be read at admission)` };
    return { ok: true, form: "env", envIndex: envVar.index, config };
  }
  const pathVar = lastEnv(container, CONFIG_PATH_VAR);
  if (pathVar === undefined) return undefined;
  if (pathVar.entry.valueFrom != null) return { ok: false, reason: `${CONFIG_PATH_VAR} comes from valueFrom; the file it names is not known at admission` };
  const path = pathVar.entry.value ?? "";
  const content = files?.get(path);
  if (content === undefined) return { ok: false, reason: `${CONFIG_PATH_VAR} ${path}: file content not available at admission` };
  let config: unknown;
  try {
    config = JSON.parse(content);
  } catch (e) {
    return { ok: false, reason: `${CONFIG_PATH_VAR} ${path}: not valid JSON (${(e as Error).message})` };
  }
  if (!isObject(config)) return { ok: false, reason: `${CONFIG_PATH_VAR} ${path}: not a JSON object` };
  return { ok: true, form: "path", path, config };
}

function jsonInput(value: unknown): FieldInput {
  if (Array.isArray(value)) return { kind: "texts", texts: value.map((v) => String(v)) };
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return { kind: "texts", texts: [String(value)] };
  return { kind: "unresolved", why: "not a string, number, boolean or list" };
}

/** Reads the JSON-config launch; undefined when the container has no JSON config at all. */
export function readConfigJson(container: ContainerSpec, files?: ReadonlyMap<string, string>): LaunchReadResult | undefined {
  const found = findConfig(container, files);
  if (found === undefined) return undefined;
  if (!found.ok) return { ok: false, reason: found.reason };
  const { config } = found;
  const where = found.form === "env" ? CONFIG_ENV_VAR : found.path;
  const settings: LaunchSettings = {};
  const notes: string[] = [`settings from the JSON config in ${where}`];

  const argv = argvOf(container).join(" ");
  if (argv !== "" && !argv.includes("accelerate_launch.py")) notes.push("command/args do not name accelerate_launch.py; assuming they start the image's launcher");

  for (const field of TRAINER_FIELDS) {
    const value = config[field.name];
    if (value !== undefined && value !== null) applyField(settings, notes, field, jsonInput(value), `"${field.name}" in ${where}`);
  }
  const absent = NOTED_IF_ABSENT.filter((name) => config[name] === undefined || config[name] === null);
  if (absent.length > 0) notes.push(`not set in the JSON config: ${absent.join(", ")} (fms-hf-tuning defaults apply)`);

  const launch = isObject(config.accelerate_launch_args) ? config.accelerate_launch_args : {};
  const setting = envScope(container).literal.get(SET_NUM_PROCESSES);
  const imageSetsProcesses = setting === undefined || setting.toLowerCase() === "true";
  if (launch.num_processes !== undefined && launch.num_processes !== null) {
    if (imageSetsProcesses) notes.push(`accelerate_launch_args.num_processes is ignored: the image sets it to the GPUs visible in the pod (${SET_NUM_PROCESSES})`);
    else settings.numProcesses = readCount(jsonInput(launch.num_processes), "accelerate_launch_args.num_processes", notes);
  } else if (imageSetsProcesses) {
    notes.push("num_processes: the image starts one process per GPU visible in the pod");
  }
  const multiMachine = launch.num_machines !== undefined && launch.num_machines !== null;
  if (multiMachine) settings.numMachines = readCount(jsonInput(launch.num_machines), "accelerate_launch_args.num_machines", notes);
  else notes.push("no accelerate_launch_args.num_machines: the image launches on one pod");

  return {
    ok: true,
    reading: {
      kind: "config-json",
      settings,
      // A mounted file cannot be changed from the pod spec; the env var is ours to re-encode.
      perDeviceBatchRewritable: found.form === "env",
      ...(!multiMachine && { maxWorkers: 1 }),
      notes,
    },
  };
}

/**
 * Re-encodes SFT_TRAINER_CONFIG_JSON_ENV_VAR for `target`. The file form cannot be rewritten
 * (the ConfigMap is not part of the job), so it is left alone: the reading marked the batch fixed.
 */
export function rewriteConfigJson(container: ContainerSpec, target: LaunchTarget): LaunchRewrite {
  const found = findConfig(container, undefined);
  if (found === undefined || !found.ok || found.form !== "env") return {};
  const config: JsonObject = structuredClone(found.config);
  let changed = false;
  const set = (obj: JsonObject, key: string, value: number) => {
    const current = obj[key];
    const currentCount = typeof current === "number" ? current : typeof current === "string" ? parseCount(current) : undefined;
    if (currentCount === value) return;
    // Keep a string-typed value a string; the image passes both through str().
    obj[key] = typeof current === "string" ? String(value) : value;
    changed = true;
  };

  const batchKey = "per_device_train_batch_size";
  if ((config[batchKey] !== undefined && config[batchKey] !== null) || target.perDeviceBatch !== DEFAULT_PER_DEVICE_BATCH) set(config, batchKey, target.perDeviceBatch);
  const launch = config.accelerate_launch_args;
  if (isObject(launch)) {
    if (launch.num_processes !== undefined && launch.num_processes !== null) set(launch, "num_processes", target.workers * target.gpusPerWorker);
    if (launch.num_machines !== undefined && launch.num_machines !== null) set(launch, "num_machines", target.workers);
  }
  if (!changed) return {};
  const env = (container.env ?? []).map((entry, i) => (i === found.envIndex ? { ...entry, value: encodeBase64Json(config) } : entry));
  return { env };
}

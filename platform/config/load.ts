import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { StewardError } from "../errors.js";
import { coerceOption, envName, getPath, setPath, type OptionSpec } from "./options.js";

export interface ConfigSources {
  /** Flags already parsed from argv, keyed by flag name (raw strings or booleans). */
  flags: Record<string, string | boolean | undefined>;
  env: Record<string, string | undefined>;
  /** `--config FILE`: YAML or JSON holding the same nested keys as the option paths. */
  configFile?: string;
}

/** Deep merge of plain objects; arrays and scalars from `over` replace those in `base`. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    if (isPlainObject(prev) && isPlainObject(value)) out[key] = merge(prev, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new StewardError("CONFIG_INVALID", `config file ${path}: ${(err as Error).message}`, "config");
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new StewardError("CONFIG_INVALID", `config file ${path}: ${(err as Error).message}`, "config");
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new StewardError("CONFIG_INVALID", `config file ${path}: expected a mapping at the top level`, "config");
  }
  return parsed;
}

/**
 * Builds the component's config: schema defaults < config file < STEWARD_* env < flags, validated
 * once and frozen. Every invalid field is reported with where its value came from.
 */
export function loadConfig<S extends z.ZodType>(schema: S, options: readonly OptionSpec[], sources: ConfigSources): z.infer<S> {
  const origin = new Map<string, string>();
  let raw: Record<string, unknown> = {};
  if (sources.configFile) {
    raw = readConfigFile(sources.configFile);
    for (const spec of options) if (getPath(raw, spec.path) !== undefined) origin.set(spec.path, `config file ${sources.configFile}`);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const spec of options) {
    const value = sources.env[envName(spec.flag)];
    if (value === undefined) continue;
    setPath(fromEnv, spec.path, coerceOption(spec, value));
    origin.set(spec.path, envName(spec.flag));
  }
  const fromFlags: Record<string, unknown> = {};
  for (const spec of options) {
    const value = sources.flags[spec.flag];
    if (value === undefined) continue;
    setPath(fromFlags, spec.path, typeof value === "boolean" ? value : coerceOption(spec, value));
    origin.set(spec.path, `--${spec.flag}`);
  }
  raw = merge(merge(raw, fromEnv), fromFlags);

  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".");
      const value = getPath(raw, path);
      const from = origin.get(path);
      const shown = value === undefined ? "" : `, got ${JSON.stringify(value)}`;
      return `${path}: ${issue.message}${shown}${from ? ` (from ${from})` : ""}`;
    });
    throw new StewardError("CONFIG_INVALID", `invalid configuration:\n  ${lines.join("\n  ")}`, lines[0]?.split(":")[0]);
  }
  return deepFreeze(result.data);
}

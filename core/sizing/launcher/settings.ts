/**
 * Which fms-hf-tuning arguments become which LaunchSettings, and how their text is parsed. Shared
 * by the command-line reader and the JSON-config reader (JSON keys are the flag names).
 * Defaults are deliberately not applied here: the webhook owns them and must know what was absent.
 */
import type { LaunchSettings } from "./types.js";

type Parser = "count" | "string" | "bool" | "list";

interface Field {
  readonly key: keyof LaunchSettings;
  /** Normalised flag / JSON key. */
  readonly name: string;
  readonly parse: Parser;
}

export const TRAINER_FIELDS: readonly Field[] = [
  { key: "modelNameOrPath", name: "model_name_or_path", parse: "string" },
  { key: "peftMethod", name: "peft_method", parse: "string" },
  { key: "maxSeqLength", name: "max_seq_length", parse: "count" },
  { key: "perDeviceBatch", name: "per_device_train_batch_size", parse: "count" },
  { key: "gradientAccumulationSteps", name: "gradient_accumulation_steps", parse: "count" },
  { key: "loraRank", name: "r", parse: "count" },
  { key: "loraTargetModules", name: "target_modules", parse: "list" },
  { key: "torchDtype", name: "torch_dtype", parse: "string" },
  { key: "gradientCheckpointing", name: "gradient_checkpointing", parse: "bool" },
  { key: "useFlashAttn", name: "use_flash_attn", parse: "bool" },
];

/** Absent trainer arguments worth telling the operator about (the webhook fills their defaults). */
export const NOTED_IF_ABSENT = ["model_name_or_path", "peft_method", "max_seq_length", "per_device_train_batch_size"] as const;

/** fms-hf-tuning / HF TrainingArguments default for `per_device_train_batch_size`. */
export const DEFAULT_PER_DEVICE_BATCH = 8;

/** What a flag or key carried, before parsing. */
export type FieldInput =
  | { readonly kind: "texts"; readonly texts: readonly string[] }
  /** A flag with no value (`--gradient_checkpointing`). */
  | { readonly kind: "bare" }
  | { readonly kind: "operator"; readonly vars: readonly string[] }
  | { readonly kind: "unresolved"; readonly why: string };

export function parseCount(text: string): number | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** HfArgumentParser's string_to_bool spellings. */
export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["yes", "true", "t", "y", "1"].includes(t)) return true;
  if (["no", "false", "f", "n", "0"].includes(t)) return false;
  return undefined;
}

/**
 * Parses one field into `settings`; anything unusable leaves it undefined and explains why in
 * `notes`. `label` names the source in notes, e.g. `--max_seq_length` or `"max_seq_length" in the JSON config`.
 */
export function applyField(settings: LaunchSettings, notes: string[], field: { key: keyof LaunchSettings; parse: Parser }, input: FieldInput, label: string): void {
  const value = parseInput(input, field.parse, label, notes);
  if (value !== undefined) (settings as Record<string, unknown>)[field.key] = value;
}

/** As applyField, for a single positive count; returns it. */
export function readCount(input: FieldInput, label: string, notes: string[]): number | undefined {
  return parseInput(input, "count", label, notes) as number | undefined;
}

function parseInput(input: FieldInput, parse: Parser, label: string, notes: string[]): unknown {
  if (input.kind === "operator") {
    notes.push(`${label} comes from ${input.vars.join(", ")}, set by the training operator per pod`);
    return undefined;
  }
  if (input.kind === "unresolved") {
    notes.push(`${label} left unset: ${input.why}`);
    return undefined;
  }
  if (input.kind === "bare") {
    if (parse === "bool") return true;
    notes.push(`${label} has no value`);
    return undefined;
  }
  const first = input.texts[0];
  if (parse === "list") {
    // `--target_modules q_proj v_proj`; a JSON string or `"q_proj,v_proj"` style value is split too.
    const list = input.texts.flatMap((t) => t.split(/[\s,]+/)).filter((t) => t !== "");
    if (list.length > 0) return list;
    notes.push(`${label} is empty`);
    return undefined;
  }
  if (first === undefined) return undefined;
  if (parse === "string") return first;
  const parsed = parse === "count" ? parseCount(first) : parseBool(first);
  if (parsed === undefined) notes.push(`${label} ${JSON.stringify(first)} is not ${parse === "count" ? "a positive integer" : "a boolean"}`);
  return parsed;
}

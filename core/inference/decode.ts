/**
 * Decodes the optimizer's input files (the six `*-data.json` documents, or one system-data
 * document) into a SystemSpec. A bad document yields an error naming the file and the field
 * (`server-data.json: servers[3].currentAlloc.load.avgInTokens: expected an integer, got 1.5`).
 */
import type { z } from "zod";
import {
  AcceleratorDataSchema,
  CapacityDataSchema,
  ModelDataSchema,
  OptimizerDataSchema,
  ServerDataSchema,
  ServiceClassDataSchema,
  SystemDataSchema,
  type SystemSpec,
} from "./documents.js";

export interface InferenceInputError {
  file: string;
  /** Dotted path inside the document; "" when the document itself is unreadable. */
  field: string;
  /** `file: field: reason`, ready to print. */
  message: string;
}

export type DecodeResult = { ok: true; system: SystemSpec } | { ok: false; error: InferenceInputError };

/** Which document fills which part of the system, in the order the original loads them. */
const DOCUMENTS = {
  "accelerator-data.json": { part: "acceleratorData", schema: AcceleratorDataSchema },
  "capacity-data.json": { part: "capacityData", schema: CapacityDataSchema },
  "model-data.json": { part: "modelData", schema: ModelDataSchema },
  "optimizer-data.json": { part: "optimizerData", schema: OptimizerDataSchema },
  "server-data.json": { part: "serverData", schema: ServerDataSchema },
  "serviceclass-data.json": { part: "serviceClassData", schema: ServiceClassDataSchema },
} as const;

export type InferenceDocumentName = keyof typeof DOCUMENTS;
export const INFERENCE_DOCUMENT_NAMES = Object.keys(DOCUMENTS) as InferenceDocumentName[];

function pathText(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function inputError(file: string, field: string, reason: string): InferenceInputError {
  return { file, field, message: field === "" ? `${file}: ${reason}` : `${file}: ${field}: ${reason}` };
}

function decodeOne<S extends z.ZodType>(file: string, text: string, schema: S): { ok: true; value: z.infer<S> } | { ok: false; error: InferenceInputError } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: inputError(file, "", `invalid JSON: ${(err as Error).message}`) };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, error: inputError(file, "", `expected a JSON object, got ${describeValue(raw)}`) };
  }
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = pathText(issue.path);
  return { ok: false, error: inputError(file, field, `${issue.message}, got ${describeValue(issue.input)}`) };
}

/** The six documents, keyed by their file names; every one is required. */
export function decodeSystemDocuments(texts: Readonly<Record<string, string | undefined>>): DecodeResult {
  const system: Record<string, unknown> = {};
  for (const name of INFERENCE_DOCUMENT_NAMES) {
    const text = texts[name];
    if (text === undefined) return { ok: false, error: inputError(name, "", "missing document") };
    const { part, schema } = DOCUMENTS[name];
    const decoded = decodeOne(name, text, schema);
    if (!decoded.ok) return decoded;
    system[part] = decoded.value;
  }
  return { ok: true, system: system as SystemSpec };
}

/** One system-data document (`{"system": {acceleratorData, …}}`, the body of POST /optimizeOne). */
export function decodeSystemDocument(file: string, text: string): DecodeResult {
  const decoded = decodeOne(file, text, SystemDataSchema);
  return decoded.ok ? { ok: true, system: decoded.value.system } : decoded;
}

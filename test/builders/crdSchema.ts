import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { FIXTURES } from "./reviews.js";

export type Schema = Record<string, unknown>;

/** The openAPIV3Schema of one version of the CRD in `path` (any file, e.g. the chart's own CRDs). */
export function loadCrdSchema(path: string, version: string): Schema {
  const crd = parse(readFileSync(path, "utf8")) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> } };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${path} has no version ${version}`);
  return v.schema.openAPIV3Schema;
}

function crdSchema(file: string, version: string): Schema {
  return loadCrdSchema(join(FIXTURES, "crds", file), version);
}

/**
 * OpenAPI v3.0 writes an exclusive bound as `minimum: 0, exclusiveMinimum: true`; ajv reads JSON Schema,
 * where `exclusiveMinimum` is the number itself. Rewritten on a copy, everything else untouched.
 */
function toJsonSchemaBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchemaBounds);
  if (typeof node !== "object" || node === null) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = toJsonSchemaBounds(v);
  for (const [flag, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (typeof out[flag] !== "boolean") continue;
    if (out[flag] === true) out[flag] = out[bound];
    else delete out[flag];
    if (out[flag] !== undefined) delete out[bound];
  }
  return out;
}

function compile(schema: Schema): ValidateFunction {
  // Kubernetes structural schemas carry x-kubernetes-* keywords and int32/int64 formats.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  return ajv.compile(toJsonSchemaBounds(schema) as Schema);
}

/**
 * What the API server adds to the schema for `x-kubernetes-list-type: map` and `set`: no two items with
 * the same key fields (or the same value), answered 422 "Duplicate value". ajv does not know these keywords.
 */
export function duplicateListKeys(schema: Schema, value: unknown, path = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  if (Array.isArray(value)) {
    const out: string[] = [];
    const listType = schema["x-kubernetes-list-type"];
    const keys = schema["x-kubernetes-list-map-keys"] as string[] | undefined;
    if (listType === "map" || listType === "set") {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const key = JSON.stringify(listType === "set" ? item : (keys ?? []).map((k) => (item as Record<string, unknown>)?.[k]));
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else out.push(`${path}/${i} Duplicate value: ${key} (as /${first})`);
      });
    }
    const items = schema.items as Schema | undefined;
    return items ? out.concat(value.flatMap((v, i) => duplicateListKeys(items, v, `${path}/${i}`))) : out;
  }
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (props[k] ? duplicateListKeys(props[k], v, `${path}/${k}`) : []));
}

/**
 * Fields the apiserver's structural pruning would drop silently (no `properties` entry, no
 * additionalProperties, no x-kubernetes-preserve-unknown-fields): a patch must never add one.
 */
export function prunedFields(schema: Schema, value: unknown, path = ""): string[] {
  if (typeof value !== "object" || value === null) return [];
  if (schema["x-kubernetes-preserve-unknown-fields"] === true && !schema.properties) return [];
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    return items ? value.flatMap((v, i) => prunedFields(items, v, `${path}[${i}]`)) : [];
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  const additional = schema.additionalProperties as Schema | boolean | undefined;
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const sub = props?.[key] ?? (typeof additional === "object" ? additional : undefined);
    if (sub) out.push(...prunedFields(sub, child, `${path}.${key}`));
    else if (!additional && schema["x-kubernetes-preserve-unknown-fields"] !== true && props) out.push(`${path}.${key}`);
  }
  return out;
}

export interface SchemaCheck {
  valid: boolean;
  errors: string[];
}

export interface CrdCheckOptions {
  /** Pruned fields under these paths are not errors (`.status` of upstream jobs is not ours to write). */
  ignorePrunedUnder?: string[];
}

/** A validator for `schema`: ajv errors (`/status/tenants/0/p99Ms must be number`), duplicate list keys, and fields pruning would drop. */
export function crdChecker(schema: Schema, opts: CrdCheckOptions = {}): (obj: unknown) => SchemaCheck {
  const validate = compile(schema);
  const ignored = [".metadata.", ...(opts.ignorePrunedUnder ?? [])];
  return (obj) => {
    const ok = validate(obj) as boolean;
    const errors = ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    errors.push(...duplicateListKeys(schema, obj));
    const pruned = prunedFields(schema, obj).filter((p) => !ignored.some((prefix) => p.startsWith(prefix)));
    errors.push(...pruned.map((p) => `${p} is not in the schema (would be pruned)`));
    return { valid: errors.length === 0, errors };
  };
}

function checker(file: string, version: string): (obj: unknown) => SchemaCheck {
  return crdChecker(crdSchema(file, version), { ignorePrunedUnder: [".status"] });
}

let pytorch: ((obj: unknown) => SchemaCheck) | undefined;
let appwrapper: ((obj: unknown) => SchemaCheck) | undefined;

/** Validates a PyTorchJob or an AppWrapper (and the PyTorchJobs inside it) against the real CRDs. */
export function validateAgainstCrd(obj: Record<string, unknown>): SchemaCheck {
  pytorch ??= checker("kubeflow.org_pytorchjobs.yaml", "v1");
  if (obj.kind === "PyTorchJob") return pytorch(obj);
  appwrapper ??= checker("workload.codeflare.dev_appwrappers.yaml", "v1beta2");
  const outer = appwrapper(obj);
  const components = ((obj.spec as { components?: Array<{ template?: Record<string, unknown> }> })?.components ?? []);
  for (const [i, c] of components.entries()) {
    if (c.template?.kind !== "PyTorchJob") continue;
    const inner = pytorch(c.template);
    outer.errors.push(...inner.errors.map((e) => `components[${i}].template${e}`));
  }
  return { valid: outer.errors.length === 0, errors: outer.errors };
}

/**
 * Schema errors the patched object has and the original did not: some upstream examples already
 * carry fields the CRD would prune (e.g. a pod-level allowPrivilegeEscalation); a patch must add none.
 */
export function schemaErrorsAddedBy(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const existing = new Set(validateAgainstCrd(before).errors);
  return validateAgainstCrd(after).errors.filter((e) => !existing.has(e));
}

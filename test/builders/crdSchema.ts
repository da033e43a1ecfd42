import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { FIXTURES } from "./reviews.js";

type Schema = Record<string, unknown>;

function crdSchema(file: string, version: string): Schema {
  const crd = parse(readFileSync(join(FIXTURES, "crds", file), "utf8")) as { spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: Schema } }> } };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${file} has no version ${version}`);
  return v.schema.openAPIV3Schema;
}

function compile(schema: Schema): ValidateFunction {
  // Kubernetes structural schemas carry x-kubernetes-* keywords and int32/int64 formats.
  const ajv = new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  return ajv.compile(schema);
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

function checker(file: string, version: string): (obj: unknown) => SchemaCheck {
  const schema = crdSchema(file, version);
  const validate = compile(schema);
  return (obj) => {
    const ok = validate(obj) as boolean;
    const errors = ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    const pruned = prunedFields(schema, obj).filter((p) => !p.startsWith(".metadata.") && !p.startsWith(".status"));
    errors.push(...pruned.map((p) => `${p} is not in the schema (would be pruned)`));
    return { valid: errors.length === 0, errors };
  };
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

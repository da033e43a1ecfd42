/**
 * A structural check of rendered built-in objects against the Kubernetes API's own types, as
 * @kubernetes/client-node generates them from the OpenAPI spec (its models' attribute maps): every
 * field must exist at its place, with a value of the right JSON type. It catches a misspelt or
 * misplaced field (`readonly`, `hostPid`, a probe setting one level too deep) that the API server
 * would drop or refuse; it does not check enumerations, formats or required fields.
 */
import * as k8s from "@kubernetes/client-node";
import type { K8sObject } from "./render.js";

interface Attribute {
  baseName: string;
  type: string;
}
interface Model {
  getAttributeTypeMap(): Attribute[];
}

/** kind → the model of the object (built-in kinds the chart renders; custom resources are not checked). */
const MODELS: Record<string, string> = {
  DaemonSet: "V1DaemonSet",
  Deployment: "V1Deployment",
  StatefulSet: "V1StatefulSet",
  Job: "V1Job",
  Service: "V1Service",
  ServiceAccount: "V1ServiceAccount",
  ConfigMap: "V1ConfigMap",
  Secret: "V1Secret",
  PodDisruptionBudget: "V1PodDisruptionBudget",
  ClusterRole: "V1ClusterRole",
  ClusterRoleBinding: "V1ClusterRoleBinding",
  Role: "V1Role",
  RoleBinding: "V1RoleBinding",
  MutatingWebhookConfiguration: "V1MutatingWebhookConfiguration",
};

export function isCheckedKind(kind: string): boolean {
  return kind in MODELS;
}

function model(name: string): Model | undefined {
  const m = (k8s as unknown as Record<string, unknown>)[name];
  return typeof m === "function" && typeof (m as unknown as Partial<Model>).getAttributeTypeMap === "function" ? (m as unknown as Model) : undefined;
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function check(value: unknown, type: string, at: string, problems: string[]): void {
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (type === "any") return;
  if (array) {
    if (!Array.isArray(value)) return void problems.push(`${at}: expected an array, got ${typeOf(value)}`);
    value.forEach((v, i) => check(v, array[1]!, `${at}[${i}]`, problems));
  } else if (map) {
    if (typeOf(value) !== "object") return void problems.push(`${at}: expected a map, got ${typeOf(value)}`);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) check(v, map[1]!, `${at}.${k}`, problems);
  } else if (type === "string" || type === "Date") {
    if (typeof value !== "string") problems.push(`${at}: expected a string, got ${typeOf(value)} ${JSON.stringify(value)}`);
  } else if (type === "number") {
    if (typeof value !== "number") problems.push(`${at}: expected a number, got ${typeOf(value)} ${JSON.stringify(value)}`);
  } else if (type === "boolean") {
    if (typeof value !== "boolean") problems.push(`${at}: expected a boolean, got ${typeOf(value)} ${JSON.stringify(value)}`);
  } else if (type === "IntOrString") {
    if (typeof value !== "string" && !Number.isInteger(value)) problems.push(`${at}: expected an integer or a string, got ${JSON.stringify(value)}`);
  } else {
    const m = model(type);
    if (!m) return void problems.push(`${at}: no model ${type} in @kubernetes/client-node`);
    if (typeOf(value) !== "object") return void problems.push(`${at}: expected an object (${type}), got ${typeOf(value)}`);
    const attrs = new Map(m.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const t = attrs.get(k);
      if (t === undefined) problems.push(`${at}.${k}: no such field in ${type}`);
      else check(v, t, `${at}.${k}`, problems);
    }
  }
}

/** Problems of one object (empty: every field is one the API has); [] for kinds not checked. */
export function apiFieldProblems(o: K8sObject): string[] {
  const name = MODELS[o.kind];
  if (name === undefined) return [];
  const problems: string[] = [];
  check(o, name, `${o.kind}/${o.metadata.name}`, problems);
  return problems;
}

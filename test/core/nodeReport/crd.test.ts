/**
 * charts/gpu-steward/crds/nodereports.gpu-steward.io.yaml: a structural schema the API server accepts,
 * saying field for field what core/nodeReport's zod schema says, with list types that match the zod
 * uniqueness rules, and printer columns that find their values.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  NODE_REPORT_GROUP,
  NODE_REPORT_KIND,
  NODE_REPORT_PLURAL,
  NODE_REPORT_VERSION,
  NodeReportInputError,
  NodeReportSpec,
  NodeReportStatus,
  parseNodeReport,
} from "../../../core/nodeReport/index.js";
import { aNodeReport } from "../../builders/nodeReports.js";
import { checkAgainstCrd, crd, schema } from "./nodeReportCrd.js";

type Node = Record<string, unknown>;
const props = (s: Node): Record<string, Node> => (s["properties"] ?? {}) as Record<string, Node>;

/** Every schema node with its path (`.status.tenants[]`). */
function walk(s: Node, path = ""): { path: string; node: Node }[] {
  const here = [{ path, node: s }];
  const items = s["items"] as Node | undefined;
  return here.concat(
    Object.entries(props(s)).flatMap(([k, v]) => walk(v, `${path}.${k}`)),
    items ? walk(items, `${path}[]`) : [],
  );
}

/**
 * apiextensions-apiserver's structural-schema rules (pkg/apiserver/schema/validation.go) that a
 * hand-written schema can break: a type on every node, items on arrays, no properties together with
 * additionalProperties, none of the keywords a structural schema forbids, metadata left to the server,
 * list-type maps keyed by required scalar fields.
 */
function structuralProblems(root: Node): string[] {
  const problems: string[] = [];
  const forbidden = ["$ref", "definitions", "dependencies", "additionalItems", "patternProperties", "id", "$schema", "anyOf", "oneOf", "allOf", "not", "default"];
  for (const { path, node } of walk(root)) {
    const type = node["type"];
    if (!["object", "array", "string", "integer", "number", "boolean"].includes(type as string)) problems.push(`${path}: type ${String(type)}`);
    for (const k of forbidden) if (k in node) problems.push(`${path}: ${k} is not allowed here`);
    if (type === "array" && node["items"] === undefined) problems.push(`${path}: array without items`);
    if (node["properties"] !== undefined && node["additionalProperties"] !== undefined) problems.push(`${path}: properties and additionalProperties`);
    if (typeof node["exclusiveMinimum"] === "number") problems.push(`${path}: exclusiveMinimum must be a boolean in OpenAPI v3.0`);
    const listType = node["x-kubernetes-list-type"];
    if (listType !== undefined && type !== "array") problems.push(`${path}: list type on a ${String(type)}`);
    if (listType === "map") {
      const item = node["items"] as Node;
      const keys = (node["x-kubernetes-list-map-keys"] ?? []) as string[];
      if (item["type"] !== "object" || keys.length === 0) problems.push(`${path}: map list needs object items and keys`);
      for (const key of keys) {
        const keyNode = props(item)[key];
        if (!keyNode || !["string", "integer", "number", "boolean"].includes(keyNode["type"] as string)) problems.push(`${path}: key ${key} is not a scalar property`);
        if (!((item["required"] ?? []) as string[]).includes(key)) problems.push(`${path}: key ${key} is not required`);
        if (keyNode?.["nullable"] === true) problems.push(`${path}: key ${key} is nullable`);
      }
    }
    if (listType === "set" && !["string", "integer", "number", "boolean"].includes((node["items"] as Node)["type"] as string)) problems.push(`${path}: set of non-scalars`);
  }
  if (Object.keys(props(props(root)["metadata"] ?? {})).length > 0) problems.push(".metadata: only the server may describe metadata");
  return problems;
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** The validation keywords both schemas express, in one form: what each says a value may be. */
function meaning(s: Node): Node {
  const anyOf = s["anyOf"] as Node[] | undefined;
  if (anyOf) {
    const [value, ...rest] = anyOf.filter((a) => a["type"] !== "null");
    if (rest.length > 0 || anyOf.length !== 2 || !value) throw new Error(`unexpected anyOf ${JSON.stringify(s)}`);
    return { ...meaning(value), nullable: true };
  }
  const out: Node = {};
  for (const k of ["type", "enum", "minLength", "maxLength", "maxItems", "minItems"]) if (s[k] !== undefined) out[k] = s[k];
  if (s["nullable"] === true) out["nullable"] = true;
  if (s["format"] === "date-time") out["format"] = "date-time";
  else if (s["pattern"] !== undefined) out["pattern"] = s["pattern"];
  // zod writes its integer range (±2^53-1) where no bound was set, and an exclusive bound as a number.
  if (s["minimum"] !== undefined && s["minimum"] !== -SAFE_INTEGER) out["minimum"] = s["minimum"];
  if (s["maximum"] !== undefined && s["maximum"] !== SAFE_INTEGER) out["maximum"] = s["maximum"];
  if (typeof s["exclusiveMinimum"] === "number") Object.assign(out, { minimum: s["exclusiveMinimum"], exclusiveMinimum: true });
  if (s["exclusiveMinimum"] === true) out["exclusiveMinimum"] = true;
  if (s["type"] === "object") {
    out["required"] = [...((s["required"] ?? []) as string[])].sort();
    out["properties"] = Object.fromEntries(Object.entries(props(s)).map(([k, v]) => [k, meaning(v)]));
  }
  if (s["type"] === "array") out["items"] = meaning(s["items"] as Node);
  return out;
}

const version = crd.spec.versions[0]!;

describe("NodeReport CRD", () => {
  it("names gpu-steward.io/v1alpha1 NodeReport, cluster-scoped, with the status subresource", () => {
    expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
    expect(crd.metadata.name).toBe(`${NODE_REPORT_PLURAL}.${NODE_REPORT_GROUP}`);
    expect(crd.spec.group).toBe(NODE_REPORT_GROUP);
    expect(crd.spec.scope).toBe("Cluster");
    expect(crd.spec.names).toMatchObject({ kind: NODE_REPORT_KIND, listKind: "NodeReportList", plural: NODE_REPORT_PLURAL, singular: "nodereport" });
    expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([[NODE_REPORT_VERSION, true, true]]);
    expect(version.subresources).toEqual({ status: {} });
  });

  it("has a structural schema", () => {
    expect(structuralProblems(schema)).toEqual([]);
  });

  it("finds the structural checks' faults when there are some (the check is not vacuous)", () => {
    const broken = structuredClone(schema) as Node;
    const status = props(broken)["status"]!;
    delete props(status)["summary"]!["type"];
    (props(status)["tenants"]!)["x-kubernetes-list-map-keys"] = ["gpu"];
    expect(structuralProblems(broken)).toEqual([".status.tenants: key gpu is nullable", ".status.summary: type undefined"]);
  });

  it.each([
    ["spec", NodeReportSpec],
    ["status", NodeReportStatus],
  ] as const)("says of .%s what the zod schema says: fields, required, types, nullable, enums, patterns, bounds", (part, zodSchema) => {
    const fromZod = meaning(z.toJSONSchema(zodSchema, { io: "input" }) as Node);
    expect(meaning(props(schema)[part]!)).toEqual(fromZod);
  });

  it("keys each list-type map on what the zod schema keeps unique: a duplicated item fails in both", () => {
    const lists = walk(schema).filter(({ node }) => node["x-kubernetes-list-type"] === "map" || node["x-kubernetes-list-type"] === "set");
    expect(lists.map((l) => l.path)).toEqual([
      ".status.topology.gpus",
      ".status.topology.gpus[].migDevices",
      ".status.topology.nics",
      ".status.topology.numaNodes",
      ".status.allocation",
      ".status.migLayout",
      ".status.migLayout[].gpuInstances",
      ".status.migLayout[].gpuInstances[].computeInstances",
      ".status.tenants",
      ".status.throttles",
      ".status.replicas",
      ".status.replicas[].gpus",
      ".status.conditions",
    ]);
    for (const { path } of lists) {
      const report = aNodeReport() as Node;
      // Walk to the list, taking the first item of a list on the way (GPU 6 for the GPUs: the one with MIG devices).
      let list: unknown = report;
      const at: (string | number)[] = [];
      for (const step of path.slice(1).split(".")) {
        const [name, ...hops] = step.split("[]");
        list = (list as Node)[name!];
        at.push(name!);
        for (let h = 0; h < hops.length; h += 1) {
          const index = name === "gpus" ? 6 : 0;
          list = (list as unknown[])[index];
          at.push(index);
        }
      }
      const items = list as unknown[];
      expect(items.length, path).toBeGreaterThan(0);
      items.push(structuredClone(items[0]));
      expect(checkAgainstCrd(report).errors.some((e) => e.includes("Duplicate value")), path).toBe(true);
      let field = "";
      try {
        parseNodeReport(report);
      } catch (err) {
        if (err instanceof NodeReportInputError) field = err.field;
      }
      expect(field.startsWith(["nodeReport", ...at, ""].join(".")), `${path}: zod said ${field}`).toBe(true);
    }
  });

  it("shows printer columns that find their values in a report", () => {
    const report = aNodeReport() as Node;
    const read = (jsonPath: string): unknown => {
      let value: unknown = report;
      for (const m of jsonPath.matchAll(/\.([A-Za-z]+)|\[\?\(@\.(\w+)=="([^"]+)"\)\]/g)) {
        if (m[1] !== undefined) value = (value as Node | undefined)?.[m[1]];
        else value = (value as Node[] | undefined)?.find((item) => item[m[2]!] === m[3]);
      }
      return value;
    };
    expect(Object.fromEntries((version.additionalPrinterColumns ?? []).map((c) => [c.name, read(c.jsonPath)]))).toEqual({
      GPUs: 8,
      Tenants: 2,
      Violated: 1,
      Throttles: 1,
      Replicas: 3,
      Ready: "True",
      "Dry-run": false,
      Heartbeat: "2025-03-01T12:00:00Z",
      Agent: "0.1.0",
      Age: undefined,
    });
    expect((version.additionalPrinterColumns ?? []).map((c) => c.type)).toEqual(["integer", "integer", "integer", "integer", "integer", "string", "boolean", "date", "string", "date"]);
  });

  it("leaves the schema's spec required, so an apply without spec is refused", () => {
    const { spec: _spec, ...noSpec } = aNodeReport();
    expect(checkAgainstCrd(noSpec).errors).toEqual([" must have required property 'spec'"]);
  });
});

/**
 * OpenCost's `GET /allocation/compute` as its swagger (test/extender/spend/fixtures) describes it.
 * Requests are checked against the swagger's parameters; answers are built from the swagger's own
 * example allocation and validated with ajv before they are sent, against the swagger's response
 * schema and a stricter form of it (every allocation shaped like the example's, no field the swagger
 * does not list), so the fake cannot answer anything the real API is not documented to answer.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import type { RecordedRequest } from "./fakeHttp.js";

interface SwaggerParameter {
  name: string;
  in: string;
  required: boolean;
}

const swagger = JSON.parse(readFileSync(new URL("../fixtures/opencost-swagger.json", import.meta.url), "utf8")) as {
  paths: Record<string, { get: { parameters: SwaggerParameter[]; responses: Record<string, { content: Record<string, { examples: Record<string, { value: string }> }> }> } }>;
  components: { schemas: { inline_response_200: Record<string, unknown> & { properties: { data: { items: { properties: Record<string, Record<string, unknown>> } } } } } };
};

export const OPENCOST_PATH = "/allocation/compute";
const operation = swagger.paths[OPENCOST_PATH]!.get;
export const swaggerParameters = operation.parameters.filter((p) => p.in === "query");

const responseSchema = swagger.components.schemas.inline_response_200;
/** The swagger describes an allocation only through its example's entries; `opencost` has the most properties. */
const exampleAllocationSchema = responseSchema.properties.data.items.properties["opencost"]!;

function strictAllocationSchema(): Record<string, unknown> {
  const props = exampleAllocationSchema.properties as Record<string, Record<string, unknown>>;
  return {
    ...exampleAllocationSchema,
    required: Object.keys(props),
    additionalProperties: false,
    properties: { ...props, properties: { ...props["properties"], additionalProperties: false } },
  };
}

const ajv = new Ajv({ allErrors: true, strict: true });
export const validateSwaggerAnswer: ValidateFunction = ajv.compile(responseSchema);
export const validateStrictAnswer: ValidateFunction = ajv.compile({
  ...responseSchema,
  required: ["code", "status", "data"],
  properties: {
    ...(responseSchema.properties as Record<string, unknown>),
    data: { type: "array", items: { type: "object", additionalProperties: strictAllocationSchema() } },
  },
});

/** The swagger's example answer (its `value` is a JSON string). */
export const swaggerExampleAnswer = JSON.parse(
  operation.responses["200"]!.content["application/json"]!.examples["0"]!.value,
) as { data: Array<Record<string, Record<string, unknown>>> };
const template = swaggerExampleAnswer.data[0]!["opencost"]!;

export interface NodeCost {
  totalCost: number;
  gpuCost?: number;
}

/** One allocation of an `aggregate=node` answer: the example's fields, this node's name and costs. */
export function nodeAllocation(node: string, cost: NodeCost, window: { start: string; end: string }): Record<string, unknown> {
  return {
    ...structuredClone(template),
    name: node,
    properties: { cluster: "cluster-one", node, providerID: `i-${node}` },
    window,
    start: window.start,
    end: window.end,
    totalCost: cost.totalCost,
    gpuCost: cost.gpuCost ?? 0,
  };
}

/** A whole answer, one set per step, validated against the swagger before use. */
export function allocationAnswer(steps: Array<Record<string, NodeCost>>, window: { start: string; end: string }): unknown {
  const body = {
    code: 200,
    status: "success",
    data: steps.map((set) => Object.fromEntries(Object.entries(set).map(([node, cost]) => [node, nodeAllocation(node, cost, window)]))),
  };
  assertSwaggerShaped(body);
  return body;
}

export function assertSwaggerShaped(body: unknown): void {
  for (const [name, validate] of [["swagger", validateSwaggerAnswer], ["strict", validateStrictAnswer]] as const) {
    if (!validate(body)) throw new Error(`fake OpenCost answer breaks the ${name} schema: ${ajv.errorsText(validate.errors, { dataVar: "body" })}`);
  }
}

const AGGREGATES = /^(all|cluster|node|namespace|controllerKind|controller|service|pod|container|label:.+|annotation:.+)(,(cluster|node|namespace|controllerKind|controller|service|pod|container|label:.+|annotation:.+))*$/;
const RFC3339_PAIR = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}),\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Throws when a request is not one the swagger allows; returns the window pair. */
export function checkAllocationRequest(req: RecordedRequest, path = OPENCOST_PATH): { start: string; end: string } {
  if (req.method !== "GET") throw new Error(`expected GET, got ${req.method}`);
  if (req.path !== path) throw new Error(`expected path ${path}, got ${req.path}`);
  const known = new Set(swaggerParameters.map((p) => p.name));
  for (const name of req.query.keys()) if (!known.has(name)) throw new Error(`query parameter ${name} is not in the swagger`);
  for (const p of swaggerParameters) if (p.required && !req.query.has(p.name)) throw new Error(`missing required ${p.name}`);
  const aggregate = req.query.get("aggregate");
  if (aggregate !== null && !AGGREGATES.test(aggregate)) throw new Error(`aggregate ${aggregate} is not one the swagger accepts`);
  const window = req.query.get("window")!;
  if (!RFC3339_PAIR.test(window)) throw new Error(`window ${window} is not an RFC3339 pair`);
  const [start, end] = window.split(",") as [string, string];
  return { start, end };
}

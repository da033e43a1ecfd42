/**
 * zod schemas of the optimizer's input documents (spec §1), accepting them as the original's Go
 * decoder does: keys match case-insensitively (`AvgInTokens`, `milpsolver`), unknown keys are
 * ignored, missing or null fields are zero, integer fields must hold integers, every other
 * number becomes float32.
 */
import { z } from "zod";
import { f32 } from "./float32.js";

/** Renames keys to the schema's spelling, ignoring case; a later spelling wins, null counts as absent. */
function foldKeys(raw: unknown, canonical: readonly string[]): unknown {
  if (raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) return raw;
  const byLower = new Map(canonical.map((k) => [k.toLowerCase(), k]));
  const folded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = byLower.get(key.toLowerCase());
    if (name !== undefined && value !== null) folded[name] = value;
  }
  return folded;
}

/** A Go struct: case-insensitive keys, absent object → all-zero object. */
function goStruct<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape);
  return z.preprocess((raw) => foldKeys(raw, keys), z.object(shape, { error: "expected an object" }));
}

const float32Field = z.number({ error: "expected a number" }).transform(f32).default(0);
const intField = z.number({ error: "expected a number" }).int({ error: "expected an integer" }).default(0);
const stringField = z.string({ error: "expected a string" }).default("");
const boolField = z.boolean({ error: "expected true or false" }).default(false);
const listOf = <T extends z.ZodType>(item: T) => z.array(item, { error: "expected a list" }).default([]);

export const PowerSpecSchema = goStruct({ idle: intField, full: intField, midPower: intField, midUtil: float32Field });

export const AcceleratorSpecSchema = goStruct({
  name: stringField,
  type: stringField,
  multiplicity: intField,
  memSize: intField,
  memBW: intField,
  power: PowerSpecSchema.prefault({}),
  cost: float32Field,
});
export const AcceleratorDataSchema = goStruct({ accelerators: listOf(AcceleratorSpecSchema) });

export const CapacityDataSchema = goStruct({ count: listOf(goStruct({ type: stringField, count: intField })) });

export const ModelPerfSchema = goStruct({
  name: stringField,
  acc: stringField,
  accCount: intField,
  maxBatchSize: intField,
  atTokens: intField,
  perfParms: goStruct({ alpha: float32Field, beta: float32Field, gamma: float32Field }).prefault({}),
});
export const ModelDataSchema = goStruct({ models: listOf(ModelPerfSchema) });

export const ModelTargetSchema = goStruct({ model: stringField, "slo-itl": float32Field, "slo-ttft": float32Field, "slo-tps": float32Field });
export const ServiceClassSchema = goStruct({ name: stringField, priority: intField, modelTargets: listOf(ModelTargetSchema) });
export const ServiceClassDataSchema = goStruct({ serviceClasses: listOf(ServiceClassSchema) });

export const ServerLoadSchema = goStruct({ arrivalRate: float32Field, throughput: float32Field, avgInTokens: intField, avgOutTokens: intField });
export const AllocationDataSchema = goStruct({
  accelerator: stringField,
  numReplicas: intField,
  maxBatch: intField,
  cost: float32Field,
  itlAverage: float32Field,
  ttftAverage: float32Field,
  load: ServerLoadSchema.prefault({}),
});
export const ServerSpecSchema = goStruct({
  name: stringField,
  class: stringField,
  model: stringField,
  keepAccelerator: boolField,
  minNumReplicas: intField,
  maxBatchSize: intField,
  maxQueueSize: intField,
  currentAlloc: AllocationDataSchema.prefault({}),
  desiredAlloc: AllocationDataSchema.prefault({}),
});
export const ServerDataSchema = goStruct({ servers: listOf(ServerSpecSchema) });

export const OptimizerDataSchema = goStruct({
  optimizer: goStruct({
    unlimited: boolField,
    heterogeneous: boolField,
    milpSolver: boolField,
    useCplex: boolField,
    delayedBestEffort: boolField,
    saturationPolicy: stringField,
  }).prefault({}),
});

export const SystemDataSchema = goStruct({
  system: goStruct({
    acceleratorData: AcceleratorDataSchema.prefault({}),
    modelData: ModelDataSchema.prefault({}),
    serviceClassData: ServiceClassDataSchema.prefault({}),
    serverData: ServerDataSchema.prefault({}),
    optimizerData: OptimizerDataSchema.prefault({}),
    capacityData: CapacityDataSchema.prefault({}),
  }).prefault({}),
});

export type AcceleratorSpec = z.infer<typeof AcceleratorSpecSchema>;
export type AcceleratorCount = z.infer<typeof CapacityDataSchema>["count"][number];
export type ModelPerf = z.infer<typeof ModelPerfSchema>;
export type ModelTarget = z.infer<typeof ModelTargetSchema>;
export type ServiceClassSpec = z.infer<typeof ServiceClassSchema>;
export type ServerLoad = z.infer<typeof ServerLoadSchema>;
export type AllocationData = z.infer<typeof AllocationDataSchema>;
export type ServerSpec = z.infer<typeof ServerSpecSchema>;
export type OptimizerSpec = z.infer<typeof OptimizerDataSchema>["optimizer"];

/** Everything one optimisation needs: the `system` object of a system-data document. */
export type SystemSpec = z.infer<typeof SystemDataSchema>["system"];

/**
 * The part of OpenCost's allocation answer we read (`GET /allocation/compute`, swagger
 * `inline_response_200`): `{code, status, data: [ {<name>: Allocation}, … ]}`, one map per step.
 * Costs may be null: OpenCost's encoder writes NaN and ±Inf as null rather than failing the answer.
 */
import { z } from "zod";

const Cost = z.number().nullable().optional();

export const OpenCostAllocation = z.object({
  name: z.string().optional(),
  properties: z.object({ node: z.string().optional() }).optional(),
  totalCost: Cost,
  gpuCost: Cost,
});

export const OpenCostAllocationAnswer = z.object({
  code: z.number().int().optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  data: z.array(z.record(z.string(), OpenCostAllocation)),
});

export type OpenCostAllocation = z.infer<typeof OpenCostAllocation>;

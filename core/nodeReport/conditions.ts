/**
 * `status.conditions`: metav1.Condition, with the API's own patterns; only the message is held shorter
 * (1 KiB rather than 32 KiB) so eight conditions cannot eat the report's size budget.
 */
import { z } from "zod";
import { Rfc3339 } from "./fields.js";
import { uniqueBy } from "./listKeys.js";

/** The agent has written a full report this poll (topology read, tenants judged). */
export const CONDITION_READY = "Ready";
/** Something the agent needs is missing or failing (see `status.agent.problems`). */
export const CONDITION_DEGRADED = "Degraded";

export const MAX_CONDITIONS = 8;

export const Condition = z.object({
  type: z
    .string()
    .min(1)
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/, "expected a qualified name such as Ready"),
  status: z.enum(["True", "False", "Unknown"]),
  observedGeneration: z.number().int().min(0).optional(),
  lastTransitionTime: Rfc3339,
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/, "expected a CamelCase reason such as TopologyRead"),
  message: z.string().max(1024),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = z
  .array(Condition)
  .max(MAX_CONDITIONS)
  .superRefine(uniqueBy<Condition>("condition type", (c) => c.type));

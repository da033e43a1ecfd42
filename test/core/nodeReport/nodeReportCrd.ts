/** The chart's NodeReport CRD, loaded once, and a checker that answers as the API server's validation would (test/builders/crdSchema.ts). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { crdChecker, loadCrdSchema, type Schema, type SchemaCheck } from "../../builders/crdSchema.js";

export const CRD_PATH = fileURLToPath(new URL("../../../charts/gpu-steward/crds/nodereports.gpu-steward.io.yaml", import.meta.url));

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; priority?: number }[];
  schema: { openAPIV3Schema: Schema };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { group: string; scope: string; names: Record<string, unknown>; versions: CrdVersion[] };
}

export const crd = parse(readFileSync(CRD_PATH, "utf8")) as Crd;
export const schema = loadCrdSchema(CRD_PATH, "v1alpha1");
const check = crdChecker(schema);

export function checkAgainstCrd(obj: unknown): SchemaCheck {
  return check(obj);
}

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** Every document of a fixture YAML file (ConfigMaps included). */
export function loadDocuments(file: string): Array<Record<string, unknown>> {
  const text = readFileSync(join(FIXTURES, file), "utf8");
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

/** The PyTorchJob or AppWrapper of a fixture file. */
export function loadJob(file: string): Record<string, unknown> {
  const job = loadDocuments(file).find((d) => d.kind === "PyTorchJob" || d.kind === "AppWrapper");
  if (!job) throw new Error(`${file} holds no PyTorchJob or AppWrapper`);
  return job;
}

export function jobFixtureFiles(): string[] {
  return readdirSync(join(FIXTURES, "jobs")).filter((f) => f.endsWith(".yaml") && !f.startsWith("ado-autoconf") && !f.includes("accelerate_fsdp_defaults"));
}

const GVR: Record<string, { group: string; version: string; resource: string }> = {
  PyTorchJob: { group: "kubeflow.org", version: "v1", resource: "pytorchjobs" },
  AppWrapper: { group: "workload.codeflare.dev", version: "v1beta2", resource: "appwrappers" },
};

export interface ReviewOptions {
  uid?: string;
  namespace?: string;
  operation?: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  dryRun?: boolean;
}

/** An AdmissionReview v1 as the apiserver sends it for `object`. */
export function anAdmissionReview(object: Record<string, unknown>, opts: ReviewOptions = {}): Record<string, unknown> {
  const kind = String(object.kind);
  const gvr = GVR[kind] ?? { group: "example.com", version: "v1", resource: "things" };
  const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const namespace = opts.namespace ?? meta.namespace ?? "team-a";
  // Field order as the apiserver writes it (Go encoding/json, struct order: TypeMeta kind first).
  return {
    kind: "AdmissionReview",
    apiVersion: "admission.k8s.io/v1",
    request: {
      uid: opts.uid ?? "705ab4f5-6393-11e8-b7cc-42010a800002",
      kind: { group: gvr.group, version: gvr.version, kind },
      resource: gvr,
      requestKind: { group: gvr.group, version: gvr.version, kind },
      requestResource: gvr,
      name: meta.name,
      namespace,
      operation: opts.operation ?? "CREATE",
      userInfo: { username: "alice@example.com", uid: "b4f0b5a2-1c1e-4f5e-9c1d-1f1f1f1f1f1f", groups: ["system:authenticated", "team-a-ml"] },
      object: { ...object, metadata: { ...meta, namespace } },
      oldObject: null,
      dryRun: opts.dryRun ?? false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions", fieldManager: "kubectl-client-side-apply", fieldValidation: "Strict" },
    },
  };
}

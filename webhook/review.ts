import { z } from "zod";
import type { Operation } from "fast-json-patch";

/**
 * AdmissionReview admission.k8s.io/v1 (k8s.io/api admission/v1 types.go). Only the envelope is
 * checked here; `object` stays raw JSON so the patch is a diff of exactly what the apiserver sent.
 */
const GroupVersionKind = z.object({ group: z.string(), version: z.string(), kind: z.string() });

export const AdmissionRequest = z
  .object({
  uid: z.string().min(1, "must be a non-empty string"),
  kind: GroupVersionKind,
  resource: z.object({ group: z.string(), version: z.string(), resource: z.string() }).optional(),
  subResource: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT"]),
  userInfo: z.object({ username: z.string().optional() }).optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
  options: z.unknown().optional(),
  })
  // The apiserver always sends the object of a CREATE or UPDATE; a review without one is not a review of a job.
  .refine((r) => !(r.operation === "CREATE" || r.operation === "UPDATE") || (typeof r.object === "object" && r.object !== null && !Array.isArray(r.object)), {
    path: ["object"],
    message: "required: the object of a CREATE or UPDATE",
  });
export type AdmissionRequest = z.infer<typeof AdmissionRequest>;

export const AdmissionReviewV1 = z.object({
  apiVersion: z.literal("admission.k8s.io/v1", { error: "expected admission.k8s.io/v1" }),
  kind: z.literal("AdmissionReview", { error: "expected AdmissionReview" }),
  request: AdmissionRequest,
});

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patch?: string;
  patchType?: "JSONPatch";
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  status?: { code: number; message: string };
}

export type ReviewDecode = { ok: true; request: AdmissionRequest } | { ok: false; message: string };

/** Names the first bad field as a JSON path from the top of the review. */
export function decodeReview(body: unknown): ReviewDecode {
  const parsed = AdmissionReviewV1.safeParse(body);
  if (parsed.success) return { ok: true, request: parsed.data.request };
  const issue = parsed.error.issues[0]!;
  const path = issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)";
  return { ok: false, message: `${path}: ${issue.message}` };
}

type ResponseExtra = Omit<AdmissionResponse, "uid" | "allowed" | "patch" | "patchType">;

/** Everything of the response envelope before the uid's JSON string. */
export const RESPONSE_HEAD = '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":';

/**
 * Everything of the response envelope after the uid: `RESPONSE_HEAD + JSON.stringify(uid) + tail` is
 * the whole answer. Built by concatenation because the patch is base64 (nothing to escape), which
 * saves stringifying a multi-kilobyte string a second time on every review.
 */
export function responseTail(ops: Operation[], extra: ResponseExtra = {}): string {
  let tail = ',"allowed":true';
  if (extra.warnings !== undefined) tail += `,"warnings":${JSON.stringify(extra.warnings)}`;
  if (extra.auditAnnotations !== undefined) tail += `,"auditAnnotations":${JSON.stringify(extra.auditAnnotations)}`;
  if (extra.status !== undefined) tail += `,"status":${JSON.stringify(extra.status)}`;
  if (ops.length > 0) tail += `,"patchType":"JSONPatch","patch":"${Buffer.from(JSON.stringify(ops)).toString("base64")}"`;
  return `${tail}}}`;
}

/** The response envelope the apiserver expects; the patch is base64 of the RFC 6902 document. */
export function encodeResponse(uid: string, ops: Operation[], extra: ResponseExtra = {}): string {
  return RESPONSE_HEAD + JSON.stringify(uid) + responseTail(ops, extra);
}

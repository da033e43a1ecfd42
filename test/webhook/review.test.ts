import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodeResponse, RESPONSE_HEAD, responseTail } from "../../webhook/review.js";

const ops = [
  { op: "replace" as const, path: "/spec/pytorchReplicaSpecs/Worker/replicas", value: 2 },
  { op: "add" as const, path: "/metadata/annotations/a~1b", value: 'say "hi" ✓' },
];

describe("encodeResponse", () => {
  it("is the AdmissionReview v1 response envelope with a base64 JSONPatch", () => {
    const decoded = JSON.parse(encodeResponse("u-1", ops, { warnings: ['quote " and \\ and ✓'] }));
    expect(decoded).toEqual({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: "u-1", allowed: true, warnings: ['quote " and \\ and ✓'], patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(ops)).toString("base64") },
    });
    expect(JSON.parse(Buffer.from(decoded.response.patch, "base64").toString("utf8"))).toEqual(ops);
  });

  it("has no patch fields when there is nothing to change", () => {
    expect(JSON.parse(encodeResponse("u-1", [])).response).toEqual({ uid: "u-1", allowed: true });
  });

  it("is the head, the uid's JSON string and the tail", () => {
    expect(encodeResponse("u-1", ops)).toBe(`${RESPONSE_HEAD}"u-1"${responseTail(ops)}`);
  });

  it("property: any uid, warnings and status round-trip through JSON.parse", () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.option(fc.record({ code: fc.integer(), message: fc.string() }), { nil: undefined }), (uid, warnings, status) => {
        const extra = { warnings, ...(status && { status }) };
        expect(JSON.parse(encodeResponse(uid, ops, extra)).response).toEqual({ uid, allowed: true, ...extra, patchType: "JSONPatch", patch: expect.any(String) });
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});

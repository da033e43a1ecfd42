import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FilterOutcome } from "../../extender/placement.js";
import { decodeExtenderArgs, encodeFilterResult, encodeHostPriorities, toFilterResult } from "../../extender/wire.js";

const dnsName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/);
const anyName = fc.oneof(dnsName, fc.string({ minLength: 1 }));
const reason = fc.constantFrom("gpu-steward: 6 of 8 GPUs free, pod needs 7", 'quote " and \\ and ✓', "gpu-steward: node not in the cluster view");

describe("encoders write what JSON.stringify would", () => {
  it("property: encodeFilterResult parses to toFilterResult, plain names or not", () => {
    fc.assert(
      fc.property(fc.array(anyName), fc.array(fc.tuple(anyName, reason)), fc.array(fc.tuple(anyName, reason)), (passed, failed, unresolvable) => {
        const o: FilterOutcome = { mode: "names", passed: passed.map((name) => ({ name })), failed, unresolvable };
        expect(JSON.parse(encodeFilterResult(o))).toEqual(JSON.parse(JSON.stringify(toFilterResult(o))));
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it("property: with names known plain, the fast path gives the same text", () => {
    fc.assert(
      fc.property(fc.array(dnsName), fc.array(fc.tuple(dnsName, reason)), (passed, failed) => {
        const o: FilterOutcome = { mode: "names", passed: passed.map((name) => ({ name })), failed, unresolvable: [] };
        expect(encodeFilterResult(o, true)).toBe(encodeFilterResult(o, false));
      }),
      { seed: 22, numRuns: 200 },
    );
  });

  it("property: encodeHostPriorities is the HostPriorityList", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyName, fc.integer({ min: 0, max: 10 }))), (entries) => {
        const text = encodeHostPriorities(entries.map((e) => e[0]), entries.map((e) => e[1]));
        expect(text).toBe(JSON.stringify(entries.map(([Host, Score]) => ({ Host, Score }))));
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it("decode says whether every name is a plain DNS name", () => {
    const pod = { metadata: { name: "p" } };
    expect(decodeExtenderArgs({ Pod: pod, NodeNames: ["gpu-1.example", "gpu-2"] })).toMatchObject({ ok: true, args: { plainNames: true } });
    expect(decodeExtenderArgs({ Pod: pod, NodeNames: ["gpu-1", 'odd"name'] })).toMatchObject({ ok: true, args: { plainNames: false } });
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeExtenderArgs, encodeFilterResult, encodeHostPriorities, NamedNode, PASSED, toFilterResult, type FilterOutcome } from "../../extender/wire.js";

const dnsName = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,30}$/);
// Quotes, backslashes, control characters, non-ASCII, lone surrogates: everything JSON.stringify escapes or encodes.
const anyName = fc.oneof(dnsName, fc.string({ minLength: 1 }), fc.string({ minLength: 1, unit: "binary" }));
const reason = fc.constantFrom("gpu-steward: 6 of 8 GPUs free, pod needs 7", 'quote " and \\ and ✓', "gpu-steward: node not in the cluster view");
type Verdict = { kind: "passed" } | { kind: "failed" | "unresolvable"; reason: string };
const verdict: fc.Arbitrary<Verdict> = fc.oneof(
  fc.constant({ kind: "passed" as const }),
  fc.record({ kind: fc.constantFrom("failed" as const, "unresolvable" as const), reason }),
);

/** A names-mode outcome for these nodes, in this order; each failure gets its own reason entry, as filter may. */
function outcomeOf(entries: ReadonlyArray<readonly [string, Verdict]>): FilterOutcome {
  const reasons: Array<{ text: string; unresolvable: boolean }> = [];
  const verdicts = new Int32Array(entries.map(([, v]) => (v.kind === "passed" ? PASSED : reasons.push({ text: v.reason, unresolvable: v.kind === "unresolvable" }) - 1)));
  const count = (kind: Verdict["kind"]) => entries.filter(([, v]) => v.kind === kind).length;
  return { mode: "names", nodes: entries.map(([name]) => new NamedNode(name)), verdicts, reasons, passed: count("passed"), failed: count("failed"), unresolvable: count("unresolvable") };
}

/** Names that a JS object keeps in insertion order (integer-like keys would be sorted first). */
const orderedName = anyName.filter((n) => !/^(0|[1-9]\d*)$/.test(n));

describe("encoders write what JSON.stringify would", () => {
  it("property: encodeFilterResult parses to toFilterResult, whatever the names", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(anyName, verdict)), (entries) => {
        const o = outcomeOf(entries);
        expect(JSON.parse(encodeFilterResult(o).toString("utf8"))).toEqual(JSON.parse(JSON.stringify(toFilterResult(o))));
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it("property: with distinct names the bytes are JSON.stringify's, in UTF-8", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(orderedName, verdict), { selector: ([name]) => name }), (entries) => {
        const o = outcomeOf(entries);
        expect(encodeFilterResult(o).toString("utf8")).toBe(JSON.stringify(toFilterResult(o)));
        expect(encodeFilterResult(o).equals(Buffer.from(JSON.stringify(toFilterResult(o)), "utf8"))).toBe(true);
      }),
      { seed: 22, numRuns: 300 },
    );
  });

  it("property: encodeHostPriorities is the HostPriorityList, byte for byte", () => {
    const score = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.double(), fc.constant(-0));
    fc.assert(
      fc.property(fc.array(fc.tuple(anyName, score)), (entries) => {
        const nodes = entries.map(([name]) => new NamedNode(name));
        // Twice: the second call writes the pieces kept by the first.
        for (let k = 0; k < 2; k++) {
          const bytes = encodeHostPriorities(nodes, entries.map((e) => e[1]));
          expect(bytes.equals(Buffer.from(JSON.stringify(entries.map(([Host, Score]) => ({ Host, Score }))), "utf8"))).toBe(true);
        }
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it("keeps each node's pieces", () => {
    const node = new NamedNode('odd"näme');
    expect(node.nextJson.toString("utf8")).toBe(`,${JSON.stringify('odd"näme')}`);
    expect(node.nextHostPriorityStart().toString("utf8")).toBe(`,{"Host":${JSON.stringify('odd"näme')},"Score":`);
    expect(node.nextHostPriorityStart()).toBe(node.nextHostPriorityStart());
  });

  it("writes the Node objects that pass when the request carried objects", () => {
    const objects = [{ metadata: { name: "a" } }, { metadata: { name: "b" } }];
    const o: FilterOutcome = { mode: "nodes", nodes: objects.map((n) => new NamedNode(n.metadata.name)), objects, verdicts: new Int32Array([0, PASSED]), reasons: [{ text: "full", unresolvable: false }], passed: 1, failed: 1, unresolvable: 0 };
    expect(encodeFilterResult(o).toString("utf8")).toBe(JSON.stringify({ Nodes: { metadata: {}, items: [objects[1]] }, NodeNames: null, FailedNodes: { a: "full" }, FailedAndUnresolvableNodes: {}, Error: "" }));
  });

  it("decode takes any non-empty string as a node name; the answer names it back exactly", () => {
    const names = ["gpu-1.example", 'odd"name', "back\\slash", "ünïcödé", "line\u2028sep", "\ud800"];
    const decoded = decodeExtenderArgs(JSON.parse(JSON.stringify({ Pod: { metadata: { name: "p" } }, NodeNames: names })));
    expect(decoded).toMatchObject({ ok: true, args: { nodeNames: names } });
    const nodes = names.map((n) => new NamedNode(n));
    expect(JSON.parse(encodeHostPriorities(nodes, names.map(() => 5)).toString("utf8")).map((h: { Host: string }) => h.Host)).toEqual(names);
  });
});

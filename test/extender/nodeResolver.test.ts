import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitKeyOf, type NodeCapacity } from "../../core/placement/index.js";
import { KnownNode, NodeClasses, NodeResolver } from "../../extender/nodeResolver.js";
import { ClusterView } from "../../platform/kube/clusterView.js";
import { aGpuNode } from "./harness.js";

const names = Array.from({ length: 30 }, (_, i) => `gpu-${i}`);

describe("NodeResolver", () => {
  it("property: always resolves as the view does, whatever the lists and node changes between calls", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("resolve" as const), list: fc.array(fc.constantFrom(...names, "ghost-1", "ghost-2"), { maxLength: 40 }) }),
      fc.record({ kind: fc.constant("subset" as const), keep: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }) }),
      fc.record({ kind: fc.constant("add" as const), name: fc.constantFrom(...names) }),
      fc.record({ kind: fc.constant("delete" as const), name: fc.constantFrom(...names) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const view = new ClusterView();
        for (const n of names.slice(0, 20)) view.upsertNode(aGpuNode(n, 8));
        const resolver = new NodeResolver(view);
        const check = (list: string[]) => {
          // Fresh string objects each call, as JSON.parse gives them.
          const fresh = list.map((n) => JSON.parse(JSON.stringify(n)) as string);
          const got = resolver.resolve(fresh);
          expect(got).toHaveLength(fresh.length);
          fresh.forEach((n, i) => {
            expect(got[i]!.name).toBe(n);
            expect(got[i]!.capacity).toBe(view.capacity(n));
          });
        };
        check(names);
        for (const s of steps) {
          if (s.kind === "resolve") check(s.list);
          else if (s.kind === "subset") check(names.filter((_, i) => s.keep[i]));
          else if (s.kind === "add") view.upsertNode(aGpuNode(s.name, 4));
          else view.deleteNode(s.name);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("NodeClasses", () => {
  const capacity = (used: number, jobTypesKey = ""): NodeCapacity => {
    const c = { name: `n${used}`, product: "P", allocatableGpus: 2000, usedGpus: used, jobTypes: new Map(), jobTypesKey };
    return { ...c, fitKey: fitKeyOf(c) };
  };

  it("numbers equal facts alike and different facts apart, keeping a node's number while its facts stay", () => {
    const classes = new NodeClasses();
    const a = new KnownNode("a", capacity(1));
    const b = new KnownNode("b", capacity(1));
    const c = new KnownNode("c", capacity(2));
    expect(classes.of(a, a.capacity!)).toBe(classes.of(b, b.capacity!));
    expect(classes.of(c, c.capacity!)).not.toBe(classes.of(a, a.capacity!));
    expect(classes.count).toBe(2);
  });

  it("starts over once old numbers outnumber the nodes, and then numbers every node again", () => {
    const classes = new NodeClasses();
    const old = new KnownNode("old", capacity(1));
    const before = classes.of(old, old.capacity!);
    for (let used = 2; used < 1100; used++) classes.of(new KnownNode("x", capacity(used)), capacity(used));
    classes.startCall(10);
    expect(classes.count).toBe(0);
    // The first number after the restart goes to another node's facts: `old` must not keep its stale one.
    const other = new KnownNode("other", capacity(5));
    expect(classes.of(other, other.capacity!)).toBe(before);
    expect(classes.of(old, old.capacity!)).not.toBe(before);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NodeResolver } from "../../extender/nodeResolver.js";
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
          fresh.forEach((n, i) => expect(got[i]).toBe(view.capacity(n)));
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

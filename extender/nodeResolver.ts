/**
 * Node names to the view's capacities, for lists of thousands of names per call. A Map lookup of a
 * freshly parsed string costs its hash (most of the lookup); but kube-scheduler names the nodes in
 * the same order call after call, and /prioritize names a subset of /filter's in that order. So the
 * last resolved list is walked alongside: a name equal to the next one there takes its capacity with
 * one string comparison; anything else falls back to the Map. Valid while the view's node set is
 * unchanged (capacities themselves are live).
 */
import type { NodeCapacity } from "../core/placement/index.js";
import type { ClusterView } from "../platform/kube/clusterView.js";

/** How far ahead in the last list a name is looked for before falling back to the Map. */
const LOOKAHEAD = 8;

export class NodeResolver {
  private names: readonly string[] = [];
  private caps: Array<NodeCapacity | undefined> = [];
  private membership = -1;

  constructor(private readonly view: ClusterView) {}

  resolve(names: readonly string[]): Array<NodeCapacity | undefined> {
    const out = new Array<NodeCapacity | undefined>(names.length);
    const prev = this.view.membership === this.membership ? this.names : [];
    const prevCaps = this.caps;
    let j = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      let found = -1;
      for (let k = j, end = Math.min(prev.length, j + LOOKAHEAD); k < end; k++) {
        if (prev[k] === name) {
          found = k;
          break;
        }
      }
      if (found !== -1) {
        out[i] = prevCaps[found];
        j = found + 1;
      } else {
        out[i] = this.view.capacity(name);
      }
    }
    // Keep the longest list seen (filter's): prioritize's subsets then walk inside it.
    if (names.length >= prev.length || this.view.membership !== this.membership) {
      this.names = names;
      this.caps = out;
      this.membership = this.view.membership;
    }
    return out;
  }
}

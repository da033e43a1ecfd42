/**
 * Node names to what the extender knows of each node, for lists of thousands of names per call. A
 * Map lookup of a freshly parsed string costs its hash (most of the lookup); but kube-scheduler names
 * the nodes in the same order call after call, and /prioritize names a subset of /filter's in that
 * order. So the resolver keeps a reference list (the longest resolved since the view's node set last
 * changed: filter's) and walks it alongside: a name equal to the next one there takes its record with
 * one string comparison. A name not found a few places ahead is looked up by position (a Map built
 * once per reference list) and the walk goes on from there; a name not in the list goes to the view.
 *
 * The records are kept with the list, so what is derived from a node rather than a call (its JSON
 * bytes, its class number) is computed once per node, not once per call; a call naming exactly the
 * reference list gets the list itself back and allocates nothing. Valid while the view's node set is
 * unchanged (capacities themselves are live).
 */
import { placementKeyOf, type NodeCapacity, type NodeTopology } from "../core/placement/index.js";
import type { ClusterView } from "../platform/kube/clusterView.js";
import { NamedNode } from "./wire.js";

/** A candidate node: its name, its JSON bytes for the answers, and its capacity in the view (undefined: unknown there). */
export class KnownNode extends NamedNode {
  /** Set by NodeClasses: the class number, and the capacity's keys it was found by. */
  classNumber = -1;
  classGeneration = -1;
  classFitKey = "";
  classJobTypesKey = "";
  classTopology: NodeTopology | undefined = undefined;

  constructor(
    name: string,
    readonly capacity: NodeCapacity | undefined,
  ) {
    super(name);
  }
}

/**
 * Numbers the distinct placement keys of the nodes (core/placement placementKeyOf), so that a call
 * decides once per number and finds each node's answer in an array. A node's number is kept on its
 * record with the capacity's keys it was found by, and found again only when one of those changes (a
 * pod came or went): most nodes cost a few pointer comparisons per call, no lookup.
 */
export class NodeClasses {
  private numbers = new Map<string, number>();
  /** Bumped when the numbering starts over; numbers given before are then found again. */
  private generation = 0;

  /** How many numbers there are: each is below it. */
  get count(): number {
    return this.numbers.size;
  }

  /**
   * Before a call (numbers stay valid through it): starts over once old keys (nodes changed since)
   * outnumber the nodes, so the per-call arrays indexed by number stay small.
   */
  startCall(nodeCount: number): void {
    if (this.numbers.size <= 2 * nodeCount + 1024) return;
    this.numbers = new Map();
    this.generation++;
  }

  of(node: KnownNode, capacity: NodeCapacity): number {
    if (node.classGeneration === this.generation && node.classFitKey === capacity.fitKey && node.classJobTypesKey === capacity.jobTypesKey && node.classTopology === capacity.topology) {
      return node.classNumber;
    }
    const key = placementKeyOf(capacity);
    let number = this.numbers.get(key);
    if (number === undefined) this.numbers.set(key, (number = this.numbers.size));
    node.classNumber = number;
    node.classGeneration = this.generation;
    node.classFitKey = capacity.fitKey;
    node.classJobTypesKey = capacity.jobTypesKey;
    node.classTopology = capacity.topology;
    return number;
  }
}

/** How far ahead in the reference list a name is looked for before asking the position Map. */
const LOOKAHEAD = 8;

export class NodeResolver {
  /** Kept with the records, whose class numbers it gave. */
  readonly classes = new NodeClasses();
  private reference: readonly KnownNode[] = [];
  /** Name → index in `reference`; built on the first name the walk does not find, dropped with the list. */
  private positions: Map<string, number> | undefined;
  private membership = -1;

  constructor(private readonly view: ClusterView) {}

  /** The records of `names`, in order. Read-only: the result may be the reference list itself. */
  resolve(names: readonly string[]): readonly KnownNode[] {
    if (this.view.membership !== this.membership) {
      this.membership = this.view.membership;
      this.setReference([]);
    }
    if (this.isReference(names)) return this.reference;
    const ref = this.reference;
    const out = new Array<KnownNode>(names.length);
    let next = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      let at = -1;
      for (let k = next, end = Math.min(ref.length, next + LOOKAHEAD); k < end; k++) {
        if (ref[k]!.name === name) {
          at = k;
          break;
        }
      }
      if (at === -1) at = this.positionOf(name);
      if (at === -1) {
        out[i] = new KnownNode(name, this.view.capacity(name));
      } else {
        out[i] = ref[at]!;
        next = at + 1;
      }
    }
    // Keep the longest list seen (filter's): prioritize's subsets then walk inside it.
    if (names.length >= ref.length) this.setReference(out);
    return out;
  }

  /** The same names in the same order as the reference list (the common case for /filter). */
  private isReference(names: readonly string[]): boolean {
    const ref = this.reference;
    if (names.length !== ref.length || names.length === 0) return false;
    for (let i = 0; i < names.length; i++) if (ref[i]!.name !== names[i]) return false;
    return true;
  }

  private positionOf(name: string): number {
    if (this.positions === undefined) {
      this.positions = new Map();
      // The first of a name listed twice: both records are equal.
      for (let k = this.reference.length - 1; k >= 0; k--) this.positions.set(this.reference[k]!.name, k);
    }
    return this.positions.get(name) ?? -1;
  }

  private setReference(list: readonly KnownNode[]): void {
    this.reference = list;
    this.positions = undefined;
  }
}

/**
 * kube-scheduler extender v1 (k8s.io/kube-scheduler/extender/v1). The Go structs carry no json tags,
 * so the scheduler sends and expects the Go field names (`Pod`, `Nodes`, `NodeNames`, `FailedNodes`,
 * `Host`, `Score`); the pre-1.16 API used lower-case tags, which are still accepted on input. The
 * Pod and Node objects inside are ordinary core/v1 JSON.
 */
import { z } from "zod";
import type { NodeObject, PodObject } from "../platform/kube/clusterView.js";

const NamedObject = z.looseObject({ metadata: z.looseObject({ name: z.string().min(1, "must be a non-empty string") }) });

const NodeList = z.looseObject({ items: z.array(NamedObject).nullish() });

/** Either spelling of a key: the Go field name or the legacy lower-case json tag. */
const Raw = z.looseObject({
  Pod: z.unknown().optional(),
  pod: z.unknown().optional(),
  Nodes: z.unknown().optional(),
  nodes: z.unknown().optional(),
  NodeNames: z.unknown().optional(),
  nodenames: z.unknown().optional(),
  nodeNames: z.unknown().optional(),
});

/** What placement reads of a Pod, in the types core/v1 has: anything else is not a Pod (400, naming the field). */
const Strings = z.record(z.string(), z.string());
const Quantities = z.record(z.string(), z.union([z.string(), z.number()]));
// Go's encoding/json writes a nil slice or map as null (the scheduler sends `"containers": null`): null reads as absent.
const Container = z.looseObject({ resources: z.looseObject({ requests: Quantities.nullish(), limits: Quantities.nullish() }).nullish() });
const Pod = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional(), labels: Strings.nullish(), annotations: Strings.nullish() }).nullish(),
  spec: z.looseObject({ containers: z.array(Container).nullish(), initContainers: z.array(Container).nullish(), nodeSelector: Strings.nullish() }).nullish(),
});

export interface ExtenderArgs {
  pod: PodObject;
  /** nodeCacheCapable=true: names only. */
  nodeNames?: string[];
  /** nodeCacheCapable=false: whole Node objects. */
  nodes?: NodeObject[];
}

export type ArgsDecode = { ok: true; args: ExtenderArgs } | { ok: false; message: string };

function issuePath(prefix: string, err: z.ZodError): string {
  const issue = err.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].join(".");
  return `${path}: ${issue.message}`;
}

/** Reads ExtenderArgs; the message names the first bad field, for a 400. */
export function decodeExtenderArgs(body: unknown): ArgsDecode {
  const raw = Raw.safeParse(body);
  if (!raw.success) return { ok: false, message: issuePath("(body)", raw.error).replace("(body).", "") };
  const r = raw.data;
  const podValue = r.Pod ?? r.pod;
  if (podValue === undefined || podValue === null) return { ok: false, message: "Pod: required" };
  const pod = Pod.safeParse(podValue);
  if (!pod.success) return { ok: false, message: issuePath("Pod", pod.error) };

  const namesValue = r.NodeNames ?? r.nodenames ?? r.nodeNames;
  const nodesValue = r.Nodes ?? r.nodes;
  if (namesValue !== undefined && namesValue !== null) {
    // Thousands of names per call: a plain loop, not a schema walk. Escaping is the encoders' concern
    // (once per node, see NamedNode), so nothing here reads the characters.
    if (!Array.isArray(namesValue)) return { ok: false, message: "NodeNames: expected an array of node names" };
    for (let i = 0; i < namesValue.length; i++) {
      const name: unknown = namesValue[i];
      if (typeof name !== "string" || name.length === 0) return { ok: false, message: `NodeNames.${i}: must be a non-empty string` };
    }
    return { ok: true, args: { pod: pod.data as PodObject, nodeNames: namesValue as string[] } };
  }
  if (nodesValue !== undefined && nodesValue !== null) {
    const nodes = NodeList.safeParse(nodesValue);
    if (!nodes.success) return { ok: false, message: issuePath("Nodes", nodes.error) };
    return { ok: true, args: { pod: pod.data as PodObject, nodes: (nodes.data.items ?? []) as NodeObject[] } };
  }
  return { ok: false, message: "NodeNames: one of NodeNames (nodeCacheCapable) or Nodes is required" };
}

/** A verdict of FilterOutcome: the node passed. */
export const PASSED = -1;

/** What /filter decided about each candidate, in request order (filter in placement.ts decides, encodeFilterResult writes it). */
export interface FilterOutcome {
  /** nodeCacheCapable: names; otherwise the Node objects of those that pass are sent back. */
  mode: "names" | "nodes";
  nodes: readonly NamedNode[];
  /** mode "nodes": the request's Node objects, parallel to `nodes`. */
  objects?: readonly NodeObject[];
  /** Per node: PASSED, or the index in `reasons` of why it did not. */
  verdicts: Int32Array;
  /** Distinct reasons (a few per call); `unresolvable` ones go to FailedAndUnresolvableNodes. */
  reasons: ReadonlyArray<{ text: string; unresolvable: boolean }>;
  passed: number;
  failed: number;
  unresolvable: number;
}

/** ExtenderFilterResult, Go field names. Exactly one of NodeNames / Nodes is set, as in the request. */
export interface ExtenderFilterResult {
  Nodes: { metadata: Record<string, never>; items: NodeObject[] } | null;
  NodeNames: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

export interface HostPriority {
  Host: string;
  Score: number;
}

/**
 * A candidate node's name with the bytes the answers write for it. The NodeResolver keeps one per
 * node across calls, so an answer naming thousands of nodes escapes and encodes none of them: it
 * copies each node's kept piece into its buffer (see the encoders below). The pieces start with the
 * comma that separates them from the previous element; the first element of a list drops it.
 */
export class NamedNode {
  /** UTF-8 of `,` and the JSON name. */
  readonly nextJson: Buffer;
  /** UTF-8 of `,{"Host":<JSON name>,"Score":`, built on first use. */
  private hostPriorityStart: Buffer | undefined;

  constructor(readonly name: string) {
    this.nextJson = utf8(`,${JSON.stringify(name)}`);
  }

  /** UTF-8 of `,{"Host":<JSON name>,"Score":` (the score and `}` follow). */
  nextHostPriorityStart(): Buffer {
    return (this.hostPriorityStart ??= utf8(`,{"Host":${JSON.stringify(this.name)},"Score":`));
  }
}

function utf8(text: string): Buffer {
  return Buffer.from(text, "utf8");
}

/** The object form of a filter outcome (what encodeFilterResult writes, up to duplicate names). */
export function toFilterResult(o: FilterOutcome): ExtenderFilterResult {
  const passed: number[] = [];
  const failed: Array<[string, string]> = [];
  const unresolvable: Array<[string, string]> = [];
  o.nodes.forEach((node, i) => {
    const v = o.verdicts[i]!;
    if (v === PASSED) passed.push(i);
    else (o.reasons[v]!.unresolvable ? unresolvable : failed).push([node.name, o.reasons[v]!.text]);
  });
  return {
    Nodes: o.mode === "nodes" ? { metadata: {}, items: passed.map((i) => o.objects![i]!) } : null,
    NodeNames: o.mode === "names" ? passed.map((i) => o.nodes[i]!.name) : null,
    FailedNodes: Object.fromEntries(failed),
    FailedAndUnresolvableNodes: Object.fromEntries(unresolvable),
    Error: "",
  };
}

/**
 * An answer's bytes, copied piece by piece into one buffer of its exact size. Thousands of pieces per
 * answer: copying kept bytes leaves no garbage behind (a string built from them would leave a rope of
 * thousands of parts, then a flat copy, then the encoding to bytes).
 */
class AnswerBytes {
  readonly bytes: Buffer;
  private at = 0;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  put(piece: Uint8Array): void {
    this.bytes.set(piece, this.at);
    this.at += piece.length;
  }

  /** A list's element: its piece without the leading comma when it comes first. */
  putElement(piece: Uint8Array, isFirst: boolean): void {
    this.put(isFirst ? piece.subarray(1) : piece);
  }

  done(): Buffer {
    if (this.at !== this.bytes.length) throw new Error(`answer size ${this.bytes.length} planned, ${this.at} written`);
    return this.bytes;
  }
}

const NODES_KEY = utf8('{"Nodes":');
const NODE_NAMES_KEY = utf8(',"NodeNames":');
const NULL = utf8("null");
const LIST_START = utf8("[");
const LIST_END = utf8("]");
const FAILED_NODES_KEY = utf8(',"FailedNodes":{');
const FAILED_AND_UNRESOLVABLE_NODES_KEY = utf8('},"FailedAndUnresolvableNodes":{');
const FILTER_END = utf8('},"Error":""}');

const SCORE_ENDS = Array.from({ length: 11 }, (_, score) => utf8(`${score}}`));

/** `<score>}`: kept for the integer scores 0..10 the extender gives; other numbers as JSON.stringify writes them. */
function scoreEnd(score: number): Buffer {
  return (Number.isInteger(score) && score >= 0 && score <= 10 ? SCORE_ENDS[score] : undefined) ?? utf8(`${JSON.stringify(score)}}`);
}

/** HostPriorityList as JSON (UTF-8). */
export function encodeHostPriorities(nodes: readonly NamedNode[], scores: ArrayLike<number>): Buffer {
  let size = LIST_START.length + LIST_END.length - (nodes.length > 0 ? 1 : 0);
  for (let i = 0; i < nodes.length; i++) size += nodes[i]!.nextHostPriorityStart().length + scoreEnd(scores[i]!).length;
  const out = new AnswerBytes(size);
  out.put(LIST_START);
  for (let i = 0; i < nodes.length; i++) {
    out.putElement(nodes[i]!.nextHostPriorityStart(), i === 0);
    out.put(scoreEnd(scores[i]!));
  }
  out.put(LIST_END);
  return out.done();
}

/**
 * ExtenderFilterResult as JSON (UTF-8). With thousands of failed nodes a dictionary-mode object and
 * its stringify cost more than the decision: the maps are written from each node's kept JSON name and
 * its reason's JSON, escaped once per reason (a few distinct ones per call). A name listed twice in the
 * request appears twice; JSON decoders (Go's included) keep the last, as Object.fromEntries does in
 * toFilterResult.
 */
export function encodeFilterResult(o: FilterOutcome): Buffer {
  const { nodes, verdicts } = o;
  const reasonEnds = o.reasons.map((r) => utf8(`:${JSON.stringify(r.text)}`));
  const names = o.mode === "names";
  const passedNodes = names ? NULL : utf8(JSON.stringify({ metadata: {}, items: o.objects!.filter((_, i) => verdicts[i] === PASSED) }));

  // The size first, so the bytes go into one buffer: the fixed parts, then the nodes' pieces, less
  // the comma of each list's first element.
  let size = NODES_KEY.length + passedNodes.length + NODE_NAMES_KEY.length + (names ? LIST_START.length + LIST_END.length : NULL.length);
  size += FAILED_NODES_KEY.length + FAILED_AND_UNRESOLVABLE_NODES_KEY.length + FILTER_END.length;
  for (let i = 0; i < nodes.length; i++) {
    const v = verdicts[i]!;
    if (v !== PASSED) size += nodes[i]!.nextJson.length + reasonEnds[v]!.length;
    else if (names) size += nodes[i]!.nextJson.length;
  }
  size -= (names && o.passed > 0 ? 1 : 0) + (o.failed > 0 ? 1 : 0) + (o.unresolvable > 0 ? 1 : 0);

  const out = new AnswerBytes(size);
  out.put(NODES_KEY);
  out.put(passedNodes);
  out.put(NODE_NAMES_KEY);
  if (names) {
    out.put(LIST_START);
    let first = true;
    for (let i = 0; i < nodes.length; i++) {
      if (verdicts[i] !== PASSED) continue;
      out.putElement(nodes[i]!.nextJson, first);
      first = false;
    }
    out.put(LIST_END);
  } else {
    out.put(NULL);
  }
  out.put(FAILED_NODES_KEY);
  putFailures(out, o, reasonEnds, false);
  out.put(FAILED_AND_UNRESOLVABLE_NODES_KEY);
  putFailures(out, o, reasonEnds, true);
  out.put(FILTER_END);
  return out.done();
}

/** The `"name":"reason"` entries of one of the two maps, in request order. */
function putFailures(out: AnswerBytes, o: FilterOutcome, reasonEnds: readonly Buffer[], unresolvable: boolean): void {
  let first = true;
  for (let i = 0; i < o.nodes.length; i++) {
    const v = o.verdicts[i]!;
    if (v === PASSED || o.reasons[v]!.unresolvable !== unresolvable) continue;
    out.putElement(o.nodes[i]!.nextJson, first);
    out.put(reasonEnds[v]!);
    first = false;
  }
}

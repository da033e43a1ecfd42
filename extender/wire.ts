/**
 * kube-scheduler extender v1 (k8s.io/kube-scheduler/extender/v1). The Go structs carry no json tags,
 * so the scheduler sends and expects the Go field names (`Pod`, `Nodes`, `NodeNames`, `FailedNodes`,
 * `Host`, `Score`); the pre-1.16 API used lower-case tags, which are still accepted on input. The
 * Pod and Node objects inside are ordinary core/v1 JSON.
 */
import { z } from "zod";
import type { NodeObject, PodObject } from "../platform/kube/clusterView.js";
import type { FilterOutcome } from "./placement.js";

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

const Pod = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional() }).optional(),
  spec: z.looseObject({}).optional(),
});

export interface ExtenderArgs {
  pod: PodObject;
  /** Every node name is a plain DNS name (as Kubernetes requires): encoders quote without escaping. */
  plainNames?: boolean;
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
    // Thousands of names per call: a plain loop, not a schema walk.
    if (!Array.isArray(namesValue)) return { ok: false, message: "NodeNames: expected an array of node names" };
    let plainNames = true;
    for (let i = 0; i < namesValue.length; i++) {
      const name: unknown = namesValue[i];
      if (typeof name !== "string" || name.length === 0) return { ok: false, message: `NodeNames.${i}: must be a non-empty string` };
      if (plainNames && !isPlainName(name)) plainNames = false;
    }
    return { ok: true, args: { pod: pod.data as PodObject, nodeNames: namesValue as string[], plainNames } };
  }
  if (nodesValue !== undefined && nodesValue !== null) {
    const nodes = NodeList.safeParse(nodesValue);
    if (!nodes.success) return { ok: false, message: issuePath("Nodes", nodes.error) };
    return { ok: true, args: { pod: pod.data as PodObject, nodes: (nodes.data.items ?? []) as NodeObject[] } };
  }
  return { ok: false, message: "NodeNames: one of NodeNames (nodeCacheCapable) or Nodes is required" };
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

/** The object form of a filter outcome (what encodeFilterResult writes). */
export function toFilterResult(o: FilterOutcome): ExtenderFilterResult {
  return {
    Nodes: o.mode === "nodes" ? { metadata: {}, items: o.passed.map((p) => p.object!) } : null,
    NodeNames: o.mode === "names" ? o.passed.map((p) => p.name) : null,
    FailedNodes: Object.fromEntries(o.failed),
    FailedAndUnresolvableNodes: Object.fromEntries(o.unresolvable),
    Error: "",
  };
}

/** Kubernetes node names are DNS subdomains (a-z, 0-9, '-', '.'): nothing to escape in JSON. */
function isPlainName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46)) return false;
  }
  return true;
}

function quoted(name: string): string {
  return isPlainName(name) ? `"${name}"` : JSON.stringify(name);
}

/** HostPriorityList as JSON text: thousands of entries, names quoted without a stringify per name when plain. */
export function encodeHostPriorities(hosts: readonly string[], scores: readonly number[], plainNames = false): string {
  const parts = new Array<string>(hosts.length);
  for (let i = 0; i < hosts.length; i++) parts[i] = `{"Host":${plainNames ? `"${hosts[i]}"` : quoted(hosts[i]!)},"Score":${scores[i]}}`;
  return `[${parts.join(",")}]`;
}

/**
 * ExtenderFilterResult as JSON text, built by concatenation: with thousands of failed nodes a
 * dictionary-mode object and its stringify cost more than the decision. Reasons repeat (a few
 * distinct ones per call), so each is escaped once. A name listed twice in the request appears
 * twice; JSON decoders (Go's included) keep the last, as Object.fromEntries does in toFilterResult.
 */
export function encodeFilterResult(o: FilterOutcome, plainNames = false): string {
  const encoded = new Map<string, string>();
  const map = (entries: Array<[string, string]>) => {
    let out = "";
    for (const [name, r] of entries) {
      let e = encoded.get(r);
      if (e === undefined) encoded.set(r, (e = JSON.stringify(r)));
      out += `${out.length === 0 ? "" : ","}${plainNames ? `"${name}"` : quoted(name)}:${e}`;
    }
    return `{${out}}`;
  };
  const nodes = o.mode === "nodes" ? JSON.stringify({ metadata: {}, items: o.passed.map((p) => p.object!) }) : "null";
  const names = o.mode === "names" ? `[${o.passed.map((p) => (plainNames ? `"${p.name}"` : quoted(p.name))).join(",")}]` : "null";
  return `{"Nodes":${nodes},"NodeNames":${names},"FailedNodes":${map(o.failed)},"FailedAndUnresolvableNodes":${map(o.unresolvable)},"Error":""}`;
}

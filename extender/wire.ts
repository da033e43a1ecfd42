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

const Pod = z.looseObject({
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional(), uid: z.string().optional() }).optional(),
  spec: z.looseObject({}).optional(),
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
    const names = z.array(z.string().min(1, "must be a non-empty string")).safeParse(namesValue);
    if (!names.success) return { ok: false, message: issuePath("NodeNames", names.error) };
    return { ok: true, args: { pod: pod.data as PodObject, nodeNames: names.data } };
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

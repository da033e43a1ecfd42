/**
 * Reflector sinks that turn Node and Pod objects into ClusterView calls. Objects are checked with zod
 * for the fields the view reads; one that fails is logged and skipped (the view keeps what it had), so a
 * malformed object never stops the sync. Each feed remembers which objects it gave the view, because a
 * relist must remove those that vanished while the watch was down (no DELETED event was seen for them).
 */
import { z } from "zod";
import type { Logger } from "../log.js";
import { podKey, type ClusterView, type PodObject } from "./clusterView.js";
import type { ObjectEventType, ReflectorSink } from "./reflector.js";

const Labels = z.record(z.string(), z.string());
const Quantities = z.record(z.string(), z.union([z.string(), z.number()]));
const Container = z.looseObject({ resources: z.looseObject({ requests: Quantities.optional(), limits: Quantities.optional() }).optional() });

const NodeIdentity = z.looseObject({ metadata: z.looseObject({ name: z.string().min(1) }) });
const NodeSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), labels: Labels.optional() }),
  status: z.looseObject({ allocatable: Quantities.optional() }).optional(),
});

const PodIdentity = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional(), uid: z.string().optional() }),
});
const PodSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional(), uid: z.string().optional(), labels: Labels.optional() }),
  spec: z.looseObject({ nodeName: z.string().optional(), containers: z.array(Container), initContainers: z.array(Container).optional() }),
  status: z.looseObject({ phase: z.string().optional(), startTime: z.string().optional() }).optional(),
});

/** The first problem, as `path: message`, for the log's `field`. */
function firstIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue === undefined ? "invalid" : `${issue.path.join(".") || "(root)"}: ${issue.message}`;
}

export interface FeedOptions {
  view: ClusterView;
  log: Logger;
  onSkipped?(): void;
}

export class NodeFeed implements ReflectorSink {
  private readonly known = new Set<string>();

  constructor(private readonly o: FeedOptions) {}

  replace(items: readonly unknown[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      const name = this.upsert(item);
      if (name !== undefined) listed.add(name);
    }
    for (const name of this.known) {
      if (listed.has(name)) continue;
      this.o.view.deleteNode(name);
      this.known.delete(name);
    }
  }

  apply(type: ObjectEventType, object: unknown): void {
    if (type !== "DELETED") {
      this.upsert(object);
      return;
    }
    const id = NodeIdentity.safeParse(object);
    if (!id.success) return this.skip(undefined, id.error);
    this.o.view.deleteNode(id.data.metadata.name);
    this.known.delete(id.data.metadata.name);
  }

  /** The node's name when it has one (even when the rest is unreadable: it still exists). */
  private upsert(object: unknown): string | undefined {
    const id = NodeIdentity.safeParse(object);
    if (!id.success) return void this.skip(undefined, id.error);
    const name = id.data.metadata.name;
    const node = NodeSchema.safeParse(object);
    if (!node.success) {
      this.skip(name, node.error);
      return name;
    }
    this.o.view.upsertNode(node.data);
    this.known.add(name);
    return name;
  }

  private skip(name: string | undefined, err: z.ZodError): void {
    this.o.log.warn({ kind: "Node", name, field: firstIssue(err) }, "object skipped: unreadable");
    this.o.onSkipped?.();
  }
}

export class PodFeed implements ReflectorSink {
  /** podKey → just enough of the pod for ClusterView.deletePod. */
  private readonly known = new Map<string, PodObject>();

  constructor(private readonly o: FeedOptions) {}

  replace(items: readonly unknown[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      const key = this.upsert(item);
      if (key !== undefined) listed.add(key);
    }
    for (const [key, identity] of this.known) {
      if (listed.has(key)) continue;
      this.o.view.deletePod(identity);
      this.known.delete(key);
    }
  }

  apply(type: ObjectEventType, object: unknown): void {
    if (type !== "DELETED") {
      this.upsert(object);
      return;
    }
    const identity = this.identity(object);
    if (identity === undefined) return;
    this.o.view.deletePod(identity);
    this.known.delete(podKey(identity) ?? "");
  }

  private identity(object: unknown): PodObject | undefined {
    const id = PodIdentity.safeParse(object);
    if (!id.success) return void this.skip(undefined, id.error);
    const { name, namespace, uid } = id.data.metadata;
    return { metadata: { name, ...(namespace !== undefined && { namespace }), ...(uid !== undefined && { uid }) } };
  }

  private upsert(object: unknown): string | undefined {
    const identity = this.identity(object);
    const key = identity && podKey(identity);
    if (identity === undefined || key === undefined) return undefined;
    const pod = PodSchema.safeParse(object);
    if (!pod.success) {
      this.skip(identity, pod.error);
      return key;
    }
    this.o.view.upsertPod(pod.data);
    this.known.set(key, identity);
    return key;
  }

  private skip(pod: PodObject | undefined, err: z.ZodError): void {
    this.o.log.warn({ kind: "Pod", namespace: pod?.metadata?.namespace, name: pod?.metadata?.name, field: firstIssue(err) }, "object skipped: unreadable");
    this.o.onSkipped?.();
  }
}

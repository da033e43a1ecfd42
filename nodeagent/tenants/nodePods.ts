/**
 * The pods bound to this node, kept by a reflector on `spec.nodeName=<node>` (a watch, not a list
 * per poll: a DaemonSet listing every 10 s on every node would load the API server). Objects that do
 * not read are logged once and skipped.
 */
import type { Logger } from "../../platform/log.js";
import type { ObjectEventType, ReflectorSink } from "../../platform/kube/reflector.js";
import { readAgentPod, type AgentPod } from "./agentPod.js";

export class NodePods implements ReflectorSink {
  readonly #pods = new Map<string, AgentPod>();
  /** Problems already logged per pod, so a pod with a bad annotation is not logged every event. */
  readonly #reported = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  /** Running pods (the phase the agent acts on), sorted by UID for stable output. */
  running(): AgentPod[] {
    return [...this.#pods.values()].filter((p) => p.phase === "Running").sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  }

  get size(): number {
    return this.#pods.size;
  }

  replace(items: readonly unknown[]): void {
    this.#pods.clear();
    for (const item of items) this.#upsert(item);
  }

  apply(type: ObjectEventType, object: unknown): void {
    if (type === "DELETED") {
      const read = readAgentPod(object);
      if (read.ok) {
        this.#pods.delete(read.pod.uid);
        this.#reported.delete(read.pod.uid);
      }
      return;
    }
    this.#upsert(object);
  }

  #upsert(object: unknown): void {
    const read = readAgentPod(object);
    if (!read.ok) {
      this.log.warn({ field: read.problem }, "pod on this node skipped: unreadable");
      return;
    }
    const { pod } = read;
    this.#pods.set(pod.uid, pod);
    const problems = pod.problems.join("; ");
    if (problems !== "" && this.#reported.get(pod.uid) !== problems) {
      this.log.warn({ namespace: pod.namespace, pod: pod.name, field: problems }, "pod annotation ignored");
    }
    this.#reported.set(pod.uid, problems);
  }
}

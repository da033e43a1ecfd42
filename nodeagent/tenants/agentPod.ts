/**
 * A pod on this node as the agent sees it: who it is (UID, QoS for its cgroup path), whether it is a
 * latency tenant (an SLO annotation), whether it let us throttle it (opt-in label), and where its
 * inference server's `/metrics` is. Read from the Pod object with zod; a pod whose SLO annotation is
 * malformed stays a pod (it may still be a neighbour) and carries the problem for the log.
 */
import { z } from "zod";
import type { LatencyKind } from "../../core/slo/index.js";
import type { QosClass } from "../cgroups/podCgroup.js";

/** ARCHITECTURE.md: the tenant's p99 latency SLO in milliseconds (annotation, else label). */
export const SLO_ANNOTATION = "gpu-steward.io/p99-slo-ms";
/** Which latency the SLO is about: `e2e` (default), `ttft` or `itl`. */
export const SLO_LATENCY_ANNOTATION = "gpu-steward.io/slo-latency";
/** Opt-in to Tier 1: only pods labelled `gpu-steward.io/throttle=allowed` are ever throttled. */
export const THROTTLE_LABEL = "gpu-steward.io/throttle";
export const THROTTLE_ALLOWED = "allowed";
/** Where the pod's Prometheus metrics are; tenants default to vLLM's port 8000 and `/metrics`. */
export const METRICS_PORT_ANNOTATION = "gpu-steward.io/metrics-port";
export const METRICS_PATH_ANNOTATION = "gpu-steward.io/metrics-path";
export const DEFAULT_METRICS_PORT = 8000;

export interface AgentPod {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly qos: QosClass;
  readonly podIp: string | undefined;
  readonly phase: string;
  /** Latency SLO, ms; undefined: not a tenant. */
  readonly sloMs: number | undefined;
  readonly latencyKind: LatencyKind;
  readonly throttleOptIn: boolean;
  /** Scraped when set: tenants always, other pods when they name a metrics port. */
  readonly metrics: { readonly port: number; readonly path: string } | undefined;
  /** What was wrong with our annotations, for one log line per change. */
  readonly problems: readonly string[];
}

const Strings = z.record(z.string(), z.string());
const PodShape = z.looseObject({
  metadata: z.looseObject({ uid: z.string().min(1), name: z.string().min(1), namespace: z.string().default("default"), labels: Strings.optional(), annotations: Strings.optional() }),
  status: z.looseObject({ phase: z.string().optional(), qosClass: z.enum(["Guaranteed", "Burstable", "BestEffort"]).optional(), podIP: z.string().optional() }).optional(),
});

const LATENCY_KINDS: readonly LatencyKind[] = ["e2e", "ttft", "itl"];

function positiveNumber(text: string | undefined, what: string, problems: string[]): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0) {
    problems.push(`${what}: expected a positive number, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return n;
}

export type PodRead = { ok: true; pod: AgentPod } | { ok: false; problem: string };

export function readAgentPod(object: unknown): PodRead {
  const parsed = PodShape.safeParse(object);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  const { metadata, status } = parsed.data;
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  const problems: string[] = [];
  const sloMs = positiveNumber(annotations[SLO_ANNOTATION] ?? labels[SLO_ANNOTATION], SLO_ANNOTATION, problems);
  const kindText = annotations[SLO_LATENCY_ANNOTATION];
  let latencyKind: LatencyKind = "e2e";
  if (kindText !== undefined) {
    if ((LATENCY_KINDS as readonly string[]).includes(kindText)) latencyKind = kindText as LatencyKind;
    else problems.push(`${SLO_LATENCY_ANNOTATION}: expected one of ${LATENCY_KINDS.join("|")}, got ${JSON.stringify(kindText)}`);
  }
  const portText = annotations[METRICS_PORT_ANNOTATION];
  let port = positiveNumber(portText, METRICS_PORT_ANNOTATION, problems);
  if (port !== undefined && (!Number.isInteger(port) || port > 65535)) {
    problems.push(`${METRICS_PORT_ANNOTATION}: expected a port 1-65535, got ${JSON.stringify(portText)}`);
    port = undefined;
  }
  const path = annotations[METRICS_PATH_ANNOTATION] ?? "/metrics";
  const scraped = sloMs !== undefined || port !== undefined;
  return {
    ok: true,
    pod: {
      uid: metadata.uid,
      namespace: metadata.namespace,
      name: metadata.name,
      // The kubelet sets qosClass at admission; a pod without one is treated as Burstable (the common case).
      qos: status?.qosClass ?? "Burstable",
      podIp: status?.podIP,
      phase: status?.phase ?? "Pending",
      sloMs,
      latencyKind,
      throttleOptIn: labels[THROTTLE_LABEL] === THROTTLE_ALLOWED,
      metrics: scraped ? { port: port ?? DEFAULT_METRICS_PORT, path: path.startsWith("/") ? path : `/${path}` } : undefined,
      problems,
    },
  };
}

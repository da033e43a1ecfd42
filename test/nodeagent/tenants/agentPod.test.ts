import { describe, expect, it } from "vitest";
import { createLogger } from "../../../platform/log.js";
import { NodePods, readAgentPod } from "../../../nodeagent/tenants/index.js";

const pod = (over: { uid?: string; annotations?: Record<string, string>; labels?: Record<string, string>; phase?: string; qos?: string; ip?: string } = {}) => ({
  metadata: { uid: over.uid ?? "70e3e272-514d-4610-b9f2-09b476631f1e", name: "llama-0", namespace: "serving", ...(over.labels && { labels: over.labels }), ...(over.annotations && { annotations: over.annotations }) },
  spec: { nodeName: "gpu-1" },
  status: { phase: over.phase ?? "Running", ...(over.qos && { qosClass: over.qos }), ...(over.ip && { podIP: over.ip }) },
});

describe("pods as the agent reads them", () => {
  it("a tenant: SLO from the annotation, latency kind, scraped on vLLM's port by default", () => {
    const r = readAgentPod(pod({ annotations: { "gpu-steward.io/p99-slo-ms": "250", "gpu-steward.io/slo-latency": "ttft" }, qos: "Guaranteed", ip: "10.0.3.7" }));
    expect(r).toEqual({
      ok: true,
      pod: { uid: "70e3e272-514d-4610-b9f2-09b476631f1e", namespace: "serving", name: "llama-0", qos: "Guaranteed", podIp: "10.0.3.7", phase: "Running", sloMs: 250, latencyKind: "ttft", throttleOptIn: false, metrics: { port: 8000, path: "/metrics" }, problems: [] },
    });
  });

  it("a neighbour that opted in to throttling, with its own metrics port; the SLO may also be a label", () => {
    const r = readAgentPod(pod({ labels: { "gpu-steward.io/throttle": "allowed", "gpu-steward.io/p99-slo-ms": "900" }, annotations: { "gpu-steward.io/metrics-port": "9400", "gpu-steward.io/metrics-path": "stats" } }));
    expect(r.ok && r.pod).toMatchObject({ throttleOptIn: true, sloMs: 900, qos: "Burstable", metrics: { port: 9400, path: "/stats" } });
    expect(readAgentPod(pod({ labels: { "gpu-steward.io/throttle": "yes" } })).ok && readAgentPod(pod({ labels: { "gpu-steward.io/throttle": "yes" } }))).toMatchObject({ pod: { throttleOptIn: false, metrics: undefined } });
  });

  it("keeps a pod with malformed annotations and names each problem", () => {
    const r = readAgentPod(pod({ annotations: { "gpu-steward.io/p99-slo-ms": "fast", "gpu-steward.io/slo-latency": "p50", "gpu-steward.io/metrics-port": "99999" } }));
    expect(r.ok && r.pod.sloMs).toBeUndefined();
    expect(r.ok && r.pod.problems).toEqual([
      'gpu-steward.io/p99-slo-ms: expected a positive number, got "fast"',
      'gpu-steward.io/slo-latency: expected one of e2e|ttft|itl, got "p50"',
      'gpu-steward.io/metrics-port: expected a port 1-65535, got "99999"',
    ]);
  });

  it("refuses an object without uid or name, naming the field", () => {
    expect(readAgentPod({ metadata: { name: "x" } })).toEqual({ ok: false, problem: "metadata.uid: Invalid input: expected string, received undefined" });
  });

  it("NodePods follows list and watch events and lists running pods by UID", () => {
    const lines: string[] = [];
    const pods = new NodePods(createLogger({ level: "warn", destination: { write: (l: string) => void lines.push(l) } }));
    pods.replace([pod({ uid: "b0000000-0000-4000-8000-000000000000" }), pod({ uid: "a0000000-0000-4000-8000-000000000000", phase: "Pending" }), { bad: true }]);
    expect(pods.running().map((p) => p.uid)).toEqual(["b0000000-0000-4000-8000-000000000000"]);
    pods.apply("MODIFIED", pod({ uid: "a0000000-0000-4000-8000-000000000000", annotations: { "gpu-steward.io/p99-slo-ms": "-1" } }));
    pods.apply("MODIFIED", pod({ uid: "a0000000-0000-4000-8000-000000000000", annotations: { "gpu-steward.io/p99-slo-ms": "-1" } }));
    expect(pods.running().map((p) => p.uid)).toEqual(["a0000000-0000-4000-8000-000000000000", "b0000000-0000-4000-8000-000000000000"]);
    pods.apply("DELETED", pod({ uid: "b0000000-0000-4000-8000-000000000000" }));
    expect(pods.size).toBe(1);
    // One line for the unreadable object, one (not two) for the bad annotation.
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["pod on this node skipped: unreadable", "pod annotation ignored"]);
  });
});

import { describe, expect, it } from "vitest";
import type { OptimizationResult } from "../../core/inference/index.js";
import { actuate } from "../../autoscaler/actuator.js";
import { collect } from "../../autoscaler/collector.js";
import { decide, type ActuationPolicy } from "../../autoscaler/decisions.js";
import { EVENTS } from "../../platform/kube/memory.js";
import { DEPLOYMENTS } from "../../platform/kube/memoryDeployments.js";
import { KubeApiError } from "../../platform/kube/errors.js";
import { aVllmDeployment, deploymentOf, newCluster, seed, silentLog } from "./inferenceCluster.js";

const POLICY: ActuationPolicy = { maxChange: 0, scaleToZeroClasses: [], acceleratorNodeLabel: "gpu-steward.io/accelerator-type" };
const TYPES: Record<string, string> = { A100: "A100", "4xA100": "A100", L4: "L4", G2: "G2" };
const typeOf = (name: string): string | undefined => TYPES[name];

function plan(allocations: Record<string, { accelerator: string; numReplicas: number; maxBatch: number }>, status: OptimizationResult["status"] = {}): OptimizationResult {
  const full: OptimizationResult["allocations"] = {};
  for (const [name, a] of Object.entries(allocations)) {
    full[name] = { ...a, cost: 10 * a.numReplicas, itlAverage: 20, ttftAverage: 150, load: { arrivalRate: 60, avgInTokens: 128, avgOutTokens: 1024 } };
    status[name] ??= "allocated";
  }
  return { profile: "v078", allocations: full, totalCost: 0, unitsByType: {}, error: "", status, saturated: {} };
}

async function setup(deployments: ReturnType<typeof aVllmDeployment>[]) {
  const { kube } = newCluster();
  for (const d of deployments) seed(kube, d);
  const servers = await collect(kube.deployments, undefined, 0, silentLog);
  return { kube, servers };
}

const llama = (over: Partial<Parameters<typeof aVllmDeployment>[0]> = {}) =>
  aVllmDeployment({ name: "llama", server: "llama", model: "llama_13b", serviceClass: "Premium", accelerator: "A100", maxBatch: "16", replicas: 4, ...over });
const granite = (over: Partial<Parameters<typeof aVllmDeployment>[0]> = {}) =>
  aVllmDeployment({ name: "granite", server: "granite", model: "granite_13b", serviceClass: "Free", accelerator: "L4", maxBatch: "8", replicas: 2, ...over });

describe("actuator against the in-memory cluster", () => {
  it("scales and writes the allocation labels, creating the missing max-batch label", async () => {
    const { kube, servers } = await setup([llama({ maxBatch: undefined })]);
    const decisions = servers.map((s) => decide(s, plan({ llama: { accelerator: "A100", numReplicas: 6, maxBatch: 32 } }), typeOf, POLICY));
    const out = await actuate(decisions, { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: false });
    expect(out.map((a) => a.result)).toEqual(["changed"]);
    const d = deploymentOf(kube, "infer", "llama");
    expect(d.replicas).toBe(6);
    expect(d.labels).toMatchObject({ "inferno.server.allocation.accelerator": "A100", "inferno.server.allocation.maxbatchsize": "32" });
    const [event] = kube.store.list(EVENTS, { namespace: "infer" });
    expect(event).toMatchObject({ reason: "InferenceAllocationApplied", type: "Normal", involvedObject: { kind: "Deployment", name: "llama" } });
    expect(String(event?.["message"])).toContain("replicas 4→6");
  });

  it("moves the node selector only when the accelerator type changes", async () => {
    const { kube, servers } = await setup([llama({ nodeSelector: { "gpu-steward.io/accelerator-type": "A100", zone: "a" } }), granite()]);
    const p = plan({ llama: { accelerator: "4xA100", numReplicas: 4, maxBatch: 16 }, granite: { accelerator: "G2", numReplicas: 2, maxBatch: 8 } });
    await actuate(servers.map((s) => decide(s, p, typeOf, POLICY)), { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: false });
    expect(deploymentOf(kube, "infer", "llama").nodeSelector).toEqual({ "gpu-steward.io/accelerator-type": "A100", zone: "a" });
    expect(deploymentOf(kube, "infer", "llama").labels["inferno.server.allocation.accelerator"]).toBe("4xA100");
    expect(deploymentOf(kube, "infer", "granite").nodeSelector).toEqual({ "gpu-steward.io/accelerator-type": "G2" });
  });

  it.each([
    { name: "floor: never below minNumReplicas", over: { extraLabels: { "gpu-steward.io/min-replicas": "3" } }, planned: 1, policy: POLICY, want: 3, guards: ["floor"] },
    { name: "max change bounds a scale-up", over: {}, planned: 10, policy: { ...POLICY, maxChange: 2 }, want: 6, guards: ["max-change"] },
    { name: "max change bounds a scale-down", over: {}, planned: 1, policy: { ...POLICY, maxChange: 2 }, want: 2, guards: ["max-change"] },
    { name: "a serving Deployment is not scaled to zero", over: {}, planned: 0, policy: POLICY, want: 1, guards: ["keep-serving"] },
    { name: "unless its class allows it", over: {}, planned: 0, policy: { ...POLICY, scaleToZeroClasses: ["Premium"] }, want: 0, guards: [] },
  ])("$name", async ({ over, planned, policy, want, guards }) => {
    const { kube, servers } = await setup([llama(over)]);
    const allocations: Record<string, { accelerator: string; numReplicas: number; maxBatch: number }> = planned === 0 ? {} : { llama: { accelerator: "A100", numReplicas: planned, maxBatch: 16 } };
    const [decision] = servers.map((s) => decide(s, plan(allocations, { llama: "allocated" }), typeOf, policy));
    expect(decision?.guards).toEqual(guards);
    await actuate([decision!], { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: false });
    expect(deploymentOf(kube, "infer", "llama").replicas).toBe(want);
  });

  it("holds a server the plan could not serve instead of scaling it to zero", async () => {
    const { kube, servers } = await setup([llama()]);
    const [decision] = servers.map((s) => decide(s, plan({}, { llama: "saturated" }), typeOf, POLICY));
    const out = await actuate([decision!], { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: false });
    expect(out[0]?.result).toBe("held");
    expect(deploymentOf(kube, "infer", "llama").replicas).toBe(4);
  });

  it("one failed Deployment does not block the others, and gets a Warning event", async () => {
    const { kube, servers } = await setup([granite(), llama()]);
    const p = plan({ granite: { accelerator: "L4", numReplicas: 5, maxBatch: 8 }, llama: { accelerator: "A100", numReplicas: 7, maxBatch: 16 } });
    kube.store.failNext("patch", DEPLOYMENTS, new KubeApiError(500, "InternalError", "etcdserver: request timed out"));
    const out = await actuate(servers.map((s) => decide(s, p, typeOf, POLICY)), { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: false });
    expect(out.map((a) => [a.decision.server.document.name, a.result])).toEqual([["granite", "failed"], ["llama", "changed"]]);
    expect(deploymentOf(kube, "infer", "granite").replicas).toBe(2);
    expect(deploymentOf(kube, "infer", "llama").replicas).toBe(7);
    expect(kube.store.list(EVENTS, { namespace: "infer" }).map((e) => [e["reason"], e["type"]])).toEqual([
      ["InferenceAllocationFailed", "Warning"],
      ["InferenceAllocationApplied", "Normal"],
    ]);
  });

  it("dry run writes nothing: no patch, no event", async () => {
    const { kube, servers } = await setup([llama(), granite()]);
    const before = kube.store.list(DEPLOYMENTS, {});
    const p = plan({ granite: { accelerator: "G2", numReplicas: 5, maxBatch: 4 }, llama: { accelerator: "4xA100", numReplicas: 1, maxBatch: 64 } });
    const out = await actuate(servers.map((s) => decide(s, p, typeOf, POLICY)), { deployments: kube.deployments, events: kube.events, log: silentLog, dryRun: true });
    expect(out.map((a) => a.result)).toEqual(["dry-run", "dry-run"]);
    expect(kube.store.list(DEPLOYMENTS, {})).toEqual(before);
    expect(kube.store.list(EVENTS, {})).toEqual([]);
  });

  it("an unchanged plan sends nothing", async () => {
    const { kube, servers } = await setup([llama()]);
    const before = kube.store.resourceVersion;
    const out = await actuate(servers.map((s) => decide(s, plan({ llama: { accelerator: "A100", numReplicas: 4, maxBatch: 16 } }), typeOf, POLICY)), {
      deployments: kube.deployments,
      events: kube.events,
      log: silentLog,
      dryRun: false,
    });
    expect(out[0]?.result).toBe("unchanged");
    expect(kube.store.resourceVersion).toBe(before);
  });
});

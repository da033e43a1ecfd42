import { afterEach, describe, expect, it } from "vitest";
import { MigLayoutRequester, type NodeLabelsPort } from "../../../nodeagent/daemon/index.js";
import { createLogger } from "../../../platform/log.js";
import type { EventRecord } from "../../../platform/kube/ports.js";
import { BATCH, DISK, harness, OTHER, TENANT, type Harness } from "./cycleHarness.js";

let h: Harness | undefined;
afterEach(() => h?.dispose());

/** One poll in which the tenant served 100 requests of `e2eS` and the batch pod read `io` bytes. */
async function poll(x: Harness, e2eS: number, io = 50_000_000) {
  x.tenant.serveMany(100, e2eS);
  x.io(BATCH, io);
  x.io(OTHER, 1_000);
  return x.poll();
}

describe("agent cycle: SLO protection end to end", () => {
  it("throttles the busy opted-in neighbour on the tenant's GPU after the SLO is missed 3 polls in a row, and restores it byte for byte once the tenant recovers", async () => {
    h = harness();
    const first = await poll(h, 0.2); // first scrape: no latency yet
    expect(first.tenants).toEqual([expect.objectContaining({ uid: TENANT, status: "unknown", p99Ms: null, noLatency: "first-scrape", gpu: "GPU-aaaaaaaa-0000-0000-0000-000000000000" })]);
    expect((await poll(h, 2)).tenants[0]).toMatchObject({ status: "degraded", samples: 100, source: "metrics" });
    await poll(h, 2);
    const violated = await poll(h, 2);
    expect(violated.violations).toEqual([expect.objectContaining({ victim: TENANT, gpu: "GPU-aaaaaaaa-0000-0000-0000-000000000000" })]);
    const throttle = violated.actions.find((a) => a.kind === "throttle");
    expect(throttle).toMatchObject({ pod: BATCH, victim: TENANT });
    expect(throttle?.detail).toMatch(/^same-gpu: /);
    // io.max on the disk the pod used, cpu.max lowered from the kubelet's 8 CPUs; the other pod untouched.
    expect(h.file(BATCH, "Burstable", "io.max")).toMatch(new RegExp(`^${DISK} rbps=\\d+ wbps=\\d+`));
    const cpu = h.file(BATCH, "Burstable", "cpu.max").trim().split(" ");
    expect(Number(cpu[0])).toBeLessThan(800_000);
    expect(cpu[1]).toBe("100000");
    expect(h.file(OTHER, "Burstable", "cpu.max")).toBe("max 100000\n");
    expect(violated.throttles.map((t) => [t.podUid, t.file, t.original])).toEqual([
      [BATCH, "cpu.max", "800000 100000\n"],
      [BATCH, "io.max", ""],
    ]);

    // The tenant is fast again; the throttle holds through the cooldown, then goes.
    const during = await poll(h, 0.2);
    expect(during.tenants[0]).toMatchObject({ status: "cooldown" });
    expect(during.actions.filter((a) => a.kind === "release")).toEqual([]);
    const released = await poll(h, 0.2);
    expect(released.actions).toEqual([expect.objectContaining({ kind: "release", pod: BATCH, detail: "cpu.max: restored, io.max: restored" })]);
    expect(h.file(BATCH, "Burstable", "cpu.max")).toBe("800000 100000\n");
    expect(h.file(BATCH, "Burstable", "io.max")).not.toContain("rbps=");
    expect(released.throttles).toEqual([]);
  });

  it("never throttles what did not opt in, and asks the GPU operator for a MIG layout when Tier 1 has no one to act on", async () => {
    const labels: Record<string, string> = {};
    const events: EventRecord[] = [];
    const nodes: NodeLabelsPort = { labels: async () => ({ ...labels }), setLabels: async (_n, l) => void Object.assign(labels, l) };
    h = harness({
      batchOptIn: false,
      tier2: { requester: new MigLayoutRequester({ nodeName: "gpu-1", layout: "all-1g.10gb", nodes, log: createLogger({ level: "silent" }), dryRun: false, events: { record: async (e) => void events.push(e) } }), afterViolations: 2 },
    });
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await poll(h, 3));
    const skips = results.flatMap((r) => r.actions.filter((a) => a.kind === "skip"));
    expect(skips.length).toBeGreaterThanOrEqual(2);
    // The only opted-in pod is on the other GPU and NUMA node: not a neighbour of the tenant.
    expect(skips[0]).toMatchObject({ victim: TENANT, detail: "no-eligible-neighbour" });
    expect(results.flatMap((r) => r.actions).filter((a) => a.kind === "throttle")).toEqual([]);
    expect(h.file(BATCH, "Burstable", "cpu.max")).toBe("800000 100000\n");
    const requests = results.flatMap((r) => r.migRequests);
    expect(requests[0]).toMatchObject({ victim: TENANT, layout: "all-1g.10gb", result: "requested" });
    expect(labels).toEqual({ "nvidia.com/mig.config": "all-1g.10gb" });
    expect(requests.slice(1).every((r) => r.result === "already-requested")).toBe(true);
    // One Event on the Node for the request; none for the repeats.
    expect(events).toEqual([
      expect.objectContaining({ regarding: expect.objectContaining({ kind: "Node", name: "gpu-1" }), type: "Normal", reason: "MigLayoutRequested", message: expect.stringContaining("layout all-1g.10gb set as nvidia.com/mig.config for the GPU operator") }),
    ]);
  });

  it("with mitigation off, judges and reports but writes nothing", async () => {
    h = harness({ mitigation: false });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await poll(h, 3));
    expect(results.flatMap((r) => r.violations)).toHaveLength(1);
    expect(results.flatMap((r) => r.actions)).toEqual([expect.objectContaining({ kind: "skip", victim: TENANT, detail: "mitigation off" })]);
    expect(h.file(BATCH, "Burstable", "cpu.max")).toBe("800000 100000\n");
    expect(results.at(-1)!.inputs).toEqual({ nvidiaSmi: true, podResources: true, mitigation: false });
  });

  it("keeps the last pod-resources answer when the kubelet stops answering, and says so", async () => {
    let fail = false;
    h = harness({ podDevices: async () => (fail ? Promise.reject(new Error("kubelet pod-resources at /var/lib/kubelet/pod-resources/kubelet.sock: no such socket")) : h!.devices) });
    await poll(h, 0.2);
    fail = true;
    const r = await poll(h, 0.2);
    expect(r.inputs.podResources).toBe(false);
    expect(r.problems).toContain("kubelet pod-resources at /var/lib/kubelet/pod-resources/kubelet.sock: no such socket");
    expect(r.gpusByPod.get(TENANT)?.gpus).toEqual(["GPU-aaaaaaaa-0000-0000-0000-000000000000"]);
  });
});

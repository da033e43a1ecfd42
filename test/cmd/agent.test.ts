import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runAgentOnce } from "../../cmd/agent.js";
import { SMI_ARGS } from "../../nodeagent/discovery/index.js";
import { captured } from "../builders/capturedOutput.js";
import { VllmExposition } from "../builders/vllmExposition.js";
import { xd670Host, xd670Runner } from "../builders/xd670Node.js";
import { ManualClock } from "../../platform/clock.js";
import { memoryAdapters } from "../../platform/kube/memory.js";
import { MemoryObjectStore } from "../../platform/kube/memoryStore.js";
import { NODES, PODS } from "../../platform/kube/memoryWatch.js";
import { MemoryNodes } from "../../platform/kube/nodes.js";
import { memoryPodsOnNode } from "../../platform/kube/podsOnNode.js";
import { createLogger } from "../../platform/log.js";
import { fakeNvidiaSmi, type FakeNvidiaSmi } from "../nodeagent/discovery/fakeNvidiaSmi.js";
import { sysfsTree, XD670_BUS_IDS, xd670Pci } from "../nodeagent/discovery/sysfsTree.js";

const argv = (args: readonly string[]) => args.join(" ");
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/node/${name}`, import.meta.url)), "utf8");

let fake: FakeNvidiaSmi | undefined;
let tree: ReturnType<typeof sysfsTree> | undefined;
afterEach(() => {
  fake?.remove();
  tree?.remove();
});

describe("steward agent --once --output json", () => {
  it("prints what discovery finds: GPUs, topology, cgroup hierarchy, no problems", async () => {
    tree = sysfsTree({ pci: xd670Pci(), numa: { online: "0-1", distances: { 0: "10 21", 1: "21 10" } } });
    const gpus = fixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv").replaceAll("Enabled", "Disabled");
    fake = fakeNvidiaSmi({
      [argv(SMI_ARGS.gpus)]: { stdout: gpus },
      [argv(SMI_ARGS.topology)]: { fixture: "nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt" },
      [argv(SMI_ARGS.computeApps)]: { stdout: "" },
      // H100s can do MIG, so -q -x runs for the driver version and pending modes; constructed, no GPU elements.
      [argv(SMI_ARGS.details)]: { stdout: '<?xml version="1.0" ?>\n<nvidia_smi_log><driver_version>580.126.20</driver_version><cuda_version>13.0</cuda_version><attached_gpus>8</attached_gpus></nvidia_smi_log>\n' },
    });
    const out = captured();
    const code = await runAgentOnce(
      { once: true, output: "json", "dry-run": true, "nvidia-smi": fake.file, "host-root": tree.hostRoot, "node-name": "gpu-node-1" },
      out,
      { now: () => new Date("2026-11-23T12:00:00Z") },
    );
    expect(code).toBe(0);
    const report = JSON.parse(out.text());
    expect(report).toMatchObject({ nodeName: "gpu-node-1", generatedAt: "2026-11-23T12:00:00.000Z", dryRun: true, source: "nvidia-smi", driverVersion: "580.126.20", problems: [] });
    expect(report.cgroup.hierarchy).toBe("v1"); // the temp tree has no cgroup2 mount
    expect(report.gpus.map((g: { busId: string }) => g.busId)).toEqual(XD670_BUS_IDS);
    expect(report.topology.links[0][1]).toBe("NV18");
  });

  it("without nvidia-smi reports the sysfs inventory and says why, never failing", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const out = captured();
    expect(await runAgentOnce({ once: true, "nvidia-smi": "/nonexistent/nvidia-smi", "host-root": tree.hostRoot }, out)).toBe(0);
    const report = JSON.parse(out.text());
    expect(report.source).toBe("sysfs");
    expect(report.gpus).toHaveLength(8);
    expect(report.problems[0]).toMatch(/not-found/);
  });

  it("with a cluster, reports the tenants on its node (no latency yet from one look) and writes nothing", async () => {
    const host = xd670Host();
    const stateDir = join(host.hostRoot, "state-never-created");
    try {
      const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
      const store = new MemoryObjectStore(clock);
      const ports = memoryAdapters(createLogger({ level: "silent" }), clock, { podName: "x" }, { store });
      store.create(NODES, "", { apiVersion: "v1", kind: "Node", metadata: { name: "gpu-node-1" } });
      store.create(PODS, "serving", { apiVersion: "v1", kind: "Pod", metadata: { name: "llama-0", namespace: "serving", annotations: { "gpu-steward.io/p99-slo-ms": "300" } }, spec: { nodeName: "gpu-node-1" }, status: { phase: "Running", podIP: "10.0.0.5" } });
      store.create(PODS, "serving", { apiVersion: "v1", kind: "Pod", metadata: { name: "elsewhere", namespace: "serving", annotations: { "gpu-steward.io/p99-slo-ms": "300" } }, spec: { nodeName: "gpu-node-2" }, status: { phase: "Running" } });
      const nodes = new MemoryNodes(store);
      const out = captured();
      const code = await runAgentOnce({ "host-root": host.hostRoot, "node-name": "gpu-node-1", "state-dir": stateDir }, out, {
        runner: xd670Runner(),
        kube: { podsOnNode: memoryPodsOnNode(store, "gpu-node-1"), reports: ports.nodeReports, node: { uid: async (n) => (await nodes.get(n))?.uid, labels: async () => ({}), setLabels: async () => undefined } },
        metricsClient: { get: async () => new VllmExposition().text() },
      });
      expect(code).toBe(0);
      const doc = JSON.parse(out.text());
      expect(doc.report.tenants).toEqual([expect.objectContaining({ pod: "llama-0", sloMs: 300, state: "unknown", p99Ms: null })]);
      expect(doc.report.topology.gpus).toHaveLength(8);
      expect(doc.report.agent.heartbeat).toMatch(/^2026-/);
      expect(existsSync(stateDir)).toBe(false);
      expect(await ports.nodeReports.get("gpu-node-1")).toBeUndefined();
    } finally {
      host.remove();
    }
  });

  it.each([
    [{ once: true, output: "yaml" }, /output: .*expected "json".*\(from --output\)/],
    [{ once: true, "timeout-ms": "5" }, /timeoutMs: .*\(from --timeout-ms\)/],
    [{ once: true, "poll-interval": "0" }, /pollIntervalSeconds: .*\(from --poll-interval\)/],
  ])("refuses bad flags %j", async (flags, message) => {
    await expect(runAgentOnce(flags, captured())).rejects.toThrow(message);
  });
});

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { runAgentOnce } from "../../cmd/agent.js";
import { SMI_ARGS } from "../../nodeagent/discovery/index.js";
import { captured } from "../builders/capturedOutput.js";
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

  it.each([
    [{}, /--once is required/],
    [{ once: true, output: "yaml" }, /--output: expected json/],
    [{ once: true, "timeout-ms": "5" }, /--timeout-ms/],
  ])("refuses bad flags %j", async (flags, message) => {
    await expect(runAgentOnce(flags, captured())).rejects.toThrow(message);
  });
});

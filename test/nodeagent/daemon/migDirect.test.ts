/**
 * Tier 2 without the GPU operator: the layout from the real mig-parted default config, the GPU's MIG
 * instances from real `nvidia-smi mig -lgi/-lci` captures (H100 80GB HBM3, 7× 1g.10gb), nvidia-smi
 * answering with real destroy/create outputs. Only an idle GPU already in MIG mode is touched.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { parseMigComputeInstances, parseMigGpuInstances } from "../../../core/gpu/index.js";
import { MigDirectReconfigurer, type PodDevicesLike } from "../../../nodeagent/daemon/index.js";
import { NO_MIG, type CommandRunner, type GpuDiscovery } from "../../../nodeagent/discovery/index.js";
import { createLogger } from "../../../platform/log.js";
import type { EventRecord } from "../../../platform/kube/ports.js";
import { discovery as twoGpus } from "./cycleHarness.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/node/${name}`, import.meta.url)), "utf8");
const MIG_PARTED = parseYaml(fixture("mig-parted_config-default.yaml")) as unknown;
const GPU0 = twoGpus.gpus[0]!.uuid!;

/** The node with GPU 0 in MIG mode holding 7× 1g.10gb (one default CI each). */
function migNode(over: Partial<GpuDiscovery> = {}): GpuDiscovery {
  return {
    ...twoGpus,
    gpus: twoGpus.gpus.map((g) => (g.index === 0 ? { ...g, migMode: { current: "Enabled", pending: "Enabled" } } : g)),
    mig: {
      ...NO_MIG,
      gpuInstances: parseMigGpuInstances(fixture("nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt")),
      computeInstances: parseMigComputeInstances(fixture("nvidia-smi-mig-lci_h100-80gb-hbm3_7x1g.10gb.txt")),
      devices: [{ gpu: 0, gpuUuid: GPU0, profile: "1g.10gb", deviceIndex: 0, uuid: "MIG-0a1b2c3d-0000-4000-8000-000000000000" }],
    },
    ...over,
  };
}

function runner(fail?: { args: string; stdout: string; exitCode: number }): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const outputs: Record<string, string> = {
    "mig -i 0 -dci": fixture("nvidia-smi-mig-dci_h100-80gb-hbm3.txt"),
    "mig -i 0 -dgi": fixture("nvidia-smi-mig-dgi_h100-80gb-hbm3.txt"),
    "mig -i 0 -cgi 3g.40gb,2g.20gb,1g.10gb,1g.10gb -C": "Successfully created GPU instance ID  2 on GPU  0 using profile MIG 3g.40gb (ID  9)\nSuccessfully created compute instance ID  0 on GPU  0 GPU instance ID  2 using profile MIG 3g.40gb (ID  2)\n",
  };
  return {
    calls,
    async run(_file, args) {
      const a = args.join(" ");
      calls.push(a);
      if (fail && fail.args === a) return { stdout: fail.stdout, stderr: "", exitCode: fail.exitCode };
      return { stdout: outputs[a] ?? "", stderr: "", exitCode: 0 };
    },
  };
}

function reconfigurer(layout: string, r: CommandRunner, opts: { dryRun?: boolean; events?: EventRecord[] } = {}) {
  return new MigDirectReconfigurer({
    nodeName: "gpu-1",
    layout,
    config: MIG_PARTED,
    runner: r,
    nvidiaSmi: "nvidia-smi",
    timeoutMs: 10_000,
    dryRun: opts.dryRun ?? false,
    log: createLogger({ level: "silent" }),
    ...(opts.events && { events: { record: async (e) => void opts.events!.push(e) } }),
  });
}

const T = 1_750_000_000_000;

describe("Tier 2 direct (nvidia-smi mig)", () => {
  it("repartitions an idle MIG GPU to the layout: compute instances, then GPU instances, then the new ones, larger first", async () => {
    const r = runner();
    const events: EventRecord[] = [];
    const record = await reconfigurer("all-balanced", r, { events }).request("tenant-uid", GPU0, T, { discovery: migNode(), devices: [] });
    expect(record).toEqual({ atMs: T, victim: "tenant-uid", gpu: GPU0, layout: "all-balanced", result: "requested" });
    expect(r.calls).toEqual(["mig -i 0 -dci", "mig -i 0 -dgi", "mig -i 0 -cgi 3g.40gb,2g.20gb,1g.10gb,1g.10gb -C"]);
    expect(events).toEqual([expect.objectContaining({ type: "Normal", reason: "MigLayoutRequested", message: expect.stringContaining("applied with nvidia-smi") })]);
  });

  it("does nothing when the GPU already has the layout", async () => {
    const r = runner();
    const record = await reconfigurer("all-1g.10gb", r).request("t", GPU0, T, { discovery: migNode(), devices: [] });
    expect(record.result).toBe("already-requested");
    expect(r.calls).toEqual([]);
  });

  it.each([
    ["MIG mode off (turning it on needs a GPU reset)", () => ({ discovery: twoGpus, devices: [] }), /MIG mode is not enabled on GPU 0/],
    ["a compute process on the GPU", () => ({ discovery: migNode({ computeApps: [{ pid: 4242, gpuUuid: GPU0, usedMemoryMiB: 900, gpuIndex: 0 }] }), devices: [] }), /GPU 0 runs 1 compute process\(es\) \(pid 4242\)/],
    [
      "a pod holding one of its MIG devices",
      () => ({ discovery: migNode(), devices: [{ namespace: "team-a", name: "search-1", containers: [{ name: "s", devices: [{ resourceName: "nvidia.com/mig-1g.10gb", deviceIds: ["MIG-0a1b2c3d-0000-4000-8000-000000000000"] }] }] }] as PodDevicesLike[] }),
      /pods hold GPU 0 or its MIG devices: team-a\/search-1/,
    ],
    ["a layout the config does not have", () => ({ discovery: migNode(), devices: [] }), /mig-parted config has no layout "all-shiny"/, "all-shiny"],
    ["a layout that turns MIG off", () => ({ discovery: migNode(), devices: [] }), /turns MIG off on GPU 0/, "all-disabled"],
    ["a GPU the layout has no entry for (its PCI id is in no device-filter)", () => ({ discovery: migNode({ gpus: migNode().gpus.map((g) => ({ ...g, pciDeviceId: "0xFFFF10DE" })) }), devices: [] }), /layout "all-balanced" has no entry for GPU 0 \(PCI id 0xFFFF10DE\)/],
  ] as const)("refuses with %s, running nothing", async (_what, ctx, reason, layout: string = "all-balanced") => {
    const r = runner();
    const events: EventRecord[] = [];
    const record = await reconfigurer(layout, r, { events }).request("t", GPU0, T, ctx());
    expect(record.result).toBe("refused");
    expect(record.error).toMatch(reason);
    expect(r.calls).toEqual([]);
    expect(events[0]).toMatchObject({ type: "Warning", reason: "MigLayoutRefused" });
  });

  it("stops at the first step nvidia-smi refuses, with its words, and runs no later step", async () => {
    const r = runner({ args: "mig -i 0 -dgi", stdout: "Unable to destroy GPU instance ID  7 from GPU  0: In use by another client\nFailed to destroy GPU instances: In use by another client\n", exitCode: 19 });
    const record = await reconfigurer("all-balanced", r).request("t", GPU0, T, { discovery: migNode(), devices: [] });
    expect(record.result).toBe("failed");
    expect(record.error).toBe("nvidia-smi mig -i 0 -dgi: Unable to destroy GPU instance ID  7 from GPU  0: In use by another client");
    expect(r.calls).toEqual(["mig -i 0 -dci", "mig -i 0 -dgi"]);
  });

  it("dry run plans and runs nothing", async () => {
    const r = runner();
    expect((await reconfigurer("all-balanced", r, { dryRun: true }).request("t", GPU0, T, { discovery: migNode(), devices: [] })).result).toBe("requested");
    expect(r.calls).toEqual([]);
  });
});

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type DiscoveryDeps, discoverGpus, ExecFileRunner, hostPaths, SMI_ARGS } from "../../../nodeagent/discovery/index.js";
import { type FakeNvidiaSmi, type FakeReply, fakeNvidiaSmi } from "./fakeNvidiaSmi.js";
import { sysfsTree, XD670_BUS_IDS, xd670Pci } from "./sysfsTree.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/node/${name}`, import.meta.url)), "utf8");
const argv = (args: readonly string[]) => args.join(" ");

const SYNTHETIC = "nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv";
const XD670_TOPO = "nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt";
const QUERY_GPUS = argv(SMI_ARGS.gpus);
const NO_GIS = { stdout: "No GPU instances found: Not Found\n", exitCode: 6 };
const NO_CIS = { stdout: "No compute instances found: Not Found\n", exitCode: 6 };

/** `nvidia-smi -L` for the GPUs of a `--query-gpu` CSV (no MIG devices yet): constructed, same facts. */
function listFromCsv(csv: string): string {
  return csv
    .trim()
    .split("\n")
    .map((l) => {
      const [index, uuid, name] = l.split(", ");
      return `GPU ${index}: ${name} (UUID: ${uuid})\n`;
    })
    .join("");
}

/** The H100 80GB HBM3 `-lgip` fixture (GPU 0) relabelled for other GPUs, as one table lists all MIG-enabled GPUs. */
function profilesFor(gpus: readonly number[]): string {
  const text = fixture("nvidia-smi-mig-lgip_h100-80gb-hbm3.txt");
  const rule = text.indexOf("|=====");
  const head = text.slice(0, text.indexOf("\n", rule) + 1);
  const rows = text.slice(head.length);
  return head + gpus.map((g) => rows.replace(/^\| {3}0 {2}MIG/gm, `|   ${g}  MIG`)).join("");
}

let fake: FakeNvidiaSmi | undefined;
let tree: ReturnType<typeof sysfsTree> | undefined;
afterEach(() => {
  fake?.remove();
  tree?.remove();
});

function deps(replies: Record<string, FakeReply>, hostRoot: string, extra: Partial<DiscoveryDeps> = {}): DiscoveryDeps {
  fake = fakeNvidiaSmi(replies);
  return { runner: new ExecFileRunner(), paths: hostPaths({ hostRoot }), nvidiaSmi: fake.file, timeoutMs: 5000, ...extra };
}

describe("discoverGpus on the 8×H100 XD670 fixture set", () => {
  const replies = (): Record<string, FakeReply> => ({
    [QUERY_GPUS]: { fixture: SYNTHETIC },
    [argv(SMI_ARGS.topology)]: { fixture: XD670_TOPO },
    // constructed: the two busy GPUs of the SYNTHETIC query (73512 MiB used) each run one process
    [argv(SMI_ARGS.computeApps)]: { stdout: "4242, GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74, 73500\n4243, GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d, 73500\n" },
    // GPUs 6 and 7 have MIG enabled but no instances yet
    [argv(SMI_ARGS.gpuInstances)]: NO_GIS,
    [argv(SMI_ARGS.computeInstances)]: NO_CIS,
    [argv(SMI_ARGS.list)]: { stdout: listFromCsv(fixture(SYNTHETIC)) },
    [argv(SMI_ARGS.migProfiles)]: { stdout: profilesFor([6, 7]) },
  });

  it("joins nvidia-smi and sysfs into GPUs, the topology report, MIG state and processes, with no problems", async () => {
    tree = sysfsTree({ pci: xd670Pci(), numa: { online: "0-1", distances: { 0: "10 21", 1: "21 10" } } });
    const d = await discoverGpus(deps(replies(), tree.hostRoot, { details: "never" }));

    expect(d.problems).toEqual([]);
    expect(d.source).toBe("nvidia-smi");
    expect(d.gpus.map((g) => g.busId)).toEqual(XD670_BUS_IDS);
    expect(d.gpus[0]).toEqual({
      index: 0,
      uuid: "GPU-3b84c06a-611d-8e07-2726-44a868f646fe",
      busId: "0000:18:00.0",
      model: "NVIDIA H100 80GB HBM3",
      memoryTotalMiB: 81559,
      memoryUsedMiB: 0,
      utilizationGpuPercent: 0,
      migMode: { current: "Disabled", pending: null },
      pciDeviceId: null,
      numaNode: 0,
      localCpuList: "0-55,112-167",
    });
    expect(d.gpus[7]).toMatchObject({ utilizationGpuPercent: null, migMode: { current: "Enabled", pending: null }, numaNode: 1 });

    const t = d.topology;
    expect(t?.linkSource).toBe("nvidia-smi");
    expect(t?.gpus.map((g) => [g.index, g.busId, g.numaNode, g.cpuAffinity])).toEqual(
      XD670_BUS_IDS.map((bus, i) => [i, bus, i < 4 ? 0 : 1, i < 4 ? "0-55,112-167" : "56-111,168-223"]),
    );
    expect(t?.gpus[0]).toMatchObject({ uuid: "GPU-3b84c06a-611d-8e07-2726-44a868f646fe", model: "NVIDIA H100 80GB HBM3", memoryMiB: 81559 });
    expect(t?.links.every((row, i) => row.every((tok, j) => tok === (i === j ? "X" : "NV18")))).toBe(true);
    expect(t?.nics).toHaveLength(12);
    expect(t?.nics[0]).toEqual({ name: "mlx5_0", links: ["PIX", "PXB", "NODE", "NODE", "SYS", "SYS", "SYS", "SYS"] });
    expect(t?.numaNodes).toEqual([
      { id: 0, distances: [10, 21] },
      { id: 1, distances: [21, 10] },
    ]);

    expect(d.computeApps).toEqual([
      { pid: 4242, gpuUuid: "GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74", usedMemoryMiB: 73500, gpuIndex: 4 },
      { pid: 4243, gpuUuid: "GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d", usedMemoryMiB: 73500, gpuIndex: 5 },
    ]);
    expect(d.mig.gpuInstances).toEqual([]);
    expect(d.mig.computeInstances).toEqual([]);
    expect(d.mig.devices).toEqual([]);
    expect(d.mig.profiles.map((p) => p.gpu)).toEqual([6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7]);
    expect(fake?.calls()).toEqual([QUERY_GPUS, argv(SMI_ARGS.topology), argv(SMI_ARGS.computeApps), "mig -lgi", "mig -lci", "-L", "mig -lgip"]);
  });

  it("the report is byte-stable from one discovery to the next (the agent writes it only on change)", async () => {
    tree = sysfsTree({ pci: xd670Pci(), numa: { online: "0-1", distances: { 0: "10 21", 1: "21 10" } } });
    const once = JSON.stringify((await discoverGpus(deps(replies(), tree.hostRoot, { details: "never" }))).topology);
    fake?.remove();
    expect(JSON.stringify((await discoverGpus(deps(replies(), tree.hostRoot, { details: "never" }))).topology)).toBe(once);
  });

  it("della (topo -m inside a Slurm cpuset): sysfs local_cpulist wins over topo's empty affinity", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const r = { ...replies(), [argv(SMI_ARGS.topology)]: { fixture: "nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt" } };
    const d = await discoverGpus(deps(r, tree.hostRoot, { details: "never" }));
    expect(d.problems).toEqual([]);
    expect(d.topology?.gpus.map((g) => g.cpuAffinity)).toEqual([...Array(4).fill("0-55,112-167"), ...Array(4).fill("56-111,168-223")]);
  });

  it("della without sysfs: keeps topo's cut-down affinity and says why", async () => {
    const r = { ...replies(), [argv(SMI_ARGS.topology)]: { fixture: "nvidia-smi-topo-m_h100_della-slurm-empty-affinity.txt" } };
    const d = await discoverGpus(deps(r, "/nonexistent-host-root", { details: "never" }));
    expect(d.topology?.gpus.map((g) => g.cpuAffinity)).toEqual(["", "", "", "", "1", "1", "1", "1"]);
    expect(d.problems).toEqual([
      `sysfs: no PCI device for ${XD670_BUS_IDS.join(", ")} under /nonexistent-host-root/sys; NUMA node and CPU affinity from nvidia-smi topo -m only`,
    ]);
  });

  it("reports MIG instances on a GPU whose MIG mode is not Enabled (listings and query disagree)", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const r = { ...replies(), [argv(SMI_ARGS.gpuInstances)]: { fixture: "nvidia-smi-mig-lgi_h100-80gb-hbm3_7x1g.10gb.txt" } };
    const d = await discoverGpus(deps(r, tree.hostRoot, { details: "never" }));
    expect(d.mig.gpuInstances).toHaveLength(7);
    expect(d.problems).toEqual(["mig: GPU 0 has MIG instances but its MIG mode is Disabled"]);
  });

  it("a topo -m that disagrees with the inventory leaves the topology out, with the reason", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const oneGpu = `${fixture(SYNTHETIC).split("\n")[0]}\n`;
    const d = await discoverGpus(deps({ ...replies(), [QUERY_GPUS]: { stdout: oneGpu } }, tree.hostRoot, { details: "never" }));
    expect(d.gpus).toHaveLength(1);
    expect(d.topology).toBeUndefined();
    expect(d.problems).toEqual(["topology: inventory: GPU 1 of the topo -m matrix has no inventory entry"]);
  });
});

describe("discoverGpus degrades instead of throwing", () => {
  const sysfsOnlyLine = "inventory from sysfs only: 8 NVIDIA GPU(s); no UUIDs, models, memory, MIG, processes or NVLink";

  it("no nvidia-smi binary: sysfs inventory in bus order and a problem line", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const d = await discoverGpus({ runner: new ExecFileRunner(), paths: hostPaths({ hostRoot: tree.hostRoot }), nvidiaSmi: "/nonexistent/nvidia-smi" });
    expect(d.source).toBe("sysfs");
    expect(d.topology).toBeUndefined();
    expect(d.gpus.map((g) => [g.index, g.busId, g.numaNode])).toEqual(XD670_BUS_IDS.map((b, i) => [i, b, i < 4 ? 0 : 1]));
    expect(d.gpus[0]).toMatchObject({ uuid: null, model: null, pciDeviceId: "0x233010DE", localCpuList: "0-55,112-167" });
    expect(d.problems).toEqual([`/nonexistent/nvidia-smi ${QUERY_GPUS}: not-found: no such file (ENOENT)`, sysfsOnlyLine]);
  });

  it("nvidia-smi hangs: one timeout, then sysfs; no further calls", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const d = await discoverGpus(deps({ [QUERY_GPUS]: { fixture: SYNTHETIC, sleepMs: 10_000 } }, tree.hostRoot, { timeoutMs: 300 }));
    expect(d.source).toBe("sysfs");
    expect(d.problems).toEqual([`${fake?.file} ${QUERY_GPUS}: timeout: no answer within 300 ms`, sysfsOnlyLine]);
    // the fake may be killed before it logs its call when the machine is busy; it must never get a second one
    expect(fake?.calls().filter((c) => c !== QUERY_GPUS)).toEqual([]);
  });

  it("driver not loaded (nvidia-smi exits 9): sysfs inventory", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const said = "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
    const d = await discoverGpus(deps({ [QUERY_GPUS]: { stdout: `${said}\n\n`, exitCode: 9 } }, tree.hostRoot));
    expect(d.source).toBe("sysfs");
    expect(d.problems).toEqual([`${fake?.file} ${QUERY_GPUS}: exit 9: ${said}`, sysfsOnlyLine]);
  });

  it("unreadable --query-gpu output: the line and field, then sysfs", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const d = await discoverGpus(deps({ [QUERY_GPUS]: { stdout: "0, GPU-x, H100, 00000000:18:00.0, 81559, 0, 0, Maybe\n" } }, tree.hostRoot));
    expect(d.source).toBe("sysfs");
    expect(d.problems[0]).toBe(`${fake?.file} ${QUERY_GPUS}: line 1, mig.mode.current: "Maybe" is not Enabled or Disabled`);
  });

  it("neither nvidia-smi nor sysfs: no GPUs, two problem lines", async () => {
    const d = await discoverGpus({ runner: new ExecFileRunner(), paths: hostPaths({ hostRoot: "/nonexistent-host-root" }), nvidiaSmi: "/nonexistent/nvidia-smi" });
    expect(d).toMatchObject({ source: "none", gpus: [], computeApps: [], driverVersion: null });
    expect(d.problems).toHaveLength(2);
    expect(d.problems[1]).toMatch(/^sysfs: cannot list PCI devices: ENOENT/);
  });

  it("a later call that times out: what was learnt is kept, the remaining calls are skipped", async () => {
    tree = sysfsTree({ pci: xd670Pci() });
    const r = { [QUERY_GPUS]: { fixture: SYNTHETIC }, [argv(SMI_ARGS.topology)]: { fixture: XD670_TOPO, sleepMs: 60_000 } };
    // long enough for the first call to answer on a busy CI machine
    const d = await discoverGpus(deps(r, tree.hostRoot, { timeoutMs: 2000, details: "never" }));
    expect(d.source).toBe("nvidia-smi");
    expect(d.gpus).toHaveLength(8);
    expect(d.topology).toBeUndefined();
    expect(d.problems).toEqual([`${fake?.file} topo -m: timeout: no answer within 2000 ms`, `${fake?.file}: later calls skipped after the failure above`]);
    expect(fake?.calls().filter((c) => c !== QUERY_GPUS && c !== "topo -m")).toEqual([]);
  });
});

describe("discoverGpus on single-GPU MIG fixtures", () => {
  /** A one-GPU topo -m (constructed: the fixtures have none); the GPU on NUMA node 0. */
  const ONE_GPU_TOPO = "\tGPU0\tCPU Affinity\tNUMA Affinity\nGPU0\t X \t0-15\t0\n";

  it("H100 PCIe with 3g.40gb + 3×1g.10gb: GIs, MIG device UUIDs, profiles; a refused -lci is one problem", async () => {
    tree = sysfsTree({ pci: [{ busId: "0000:01:00.0", vendor: "0x10de", pciClass: "0x030200", device: "0x2331", numaNode: "0", localCpuList: "0-15" }] });
    // constructed from the fixtures' facts: UUID (-L), bus id (mig-mode csv), memory (spec §2.1)
    const csv = "0, GPU-7cd6d4d6-9fa8-13be-3c42-09a1b2280a02, NVIDIA H100 PCIe, 00000000:01:00.0, 81559, 0, [N/A], Enabled\n";
    const d = await discoverGpus(
      deps(
        {
          [QUERY_GPUS]: { stdout: csv },
          [argv(SMI_ARGS.topology)]: { stdout: ONE_GPU_TOPO },
          [argv(SMI_ARGS.computeApps)]: { stdout: "" },
          [argv(SMI_ARGS.gpuInstances)]: { fixture: "nvidia-smi-mig-lgi_h100-pcie_3g+3x1g.txt" },
          // seen in HAMi#1044 when the agent lacks the capability to read MIG state
          [argv(SMI_ARGS.computeInstances)]: { stdout: "Failed to display compute instances: Insufficient Permissions\n", exitCode: 4 },
          [argv(SMI_ARGS.list)]: { fixture: "nvidia-smi-L_h100-pcie_mig.txt" },
          [argv(SMI_ARGS.migProfiles)]: { fixture: "nvidia-smi-mig-lgip_h100-pcie_drv525.txt" },
        },
        tree.hostRoot,
        { details: "never" },
      ),
    );
    expect(d.problems).toEqual([`${fake?.file} mig -lci: exit 4: Failed to display compute instances: Insufficient Permissions`]);
    expect(d.mig.gpuInstances.map((g) => [g.gpuInstanceId, g.profile, g.placement?.start])).toEqual([
      [7, "1g.10gb", 0],
      [8, "1g.10gb", 1],
      [9, "1g.10gb", 2],
      [2, "3g.40gb", 4],
    ]);
    expect(d.mig.computeInstances).toEqual([]);
    expect(d.mig.devices.map((m) => [m.gpu, m.deviceIndex, m.profile, m.uuid])).toEqual([
      [0, 0, "3g.40gb", "MIG-da06d78f-7534-56a0-a062-62fef012be91"],
      [0, 1, "1g.10gb", "MIG-8aa1fc52-9818-58ec-bc64-8f0cae121bb4"],
      [0, 2, "1g.10gb", "MIG-42fa9c93-1430-5ccc-b623-c02fb93b7f5a"],
      [0, 3, "1g.10gb", "MIG-6d96b431-44ba-5360-80b0-9359561c927d"],
    ]);
    expect(d.mig.devices[0]?.gpuUuid).toBe("GPU-7cd6d4d6-9fa8-13be-3c42-09a1b2280a02");
    expect(d.mig.profiles).toHaveLength(7);
    expect(d.topology?.gpus).toEqual([
      { index: 0, uuid: "GPU-7cd6d4d6-9fa8-13be-3c42-09a1b2280a02", busId: "0000:01:00.0", model: "NVIDIA H100 PCIe", memoryMiB: 81559, numaNode: 0, cpuAffinity: "0-15" },
    ]);
  });

  it("A100 with MIG enable pending a reset: -q -x gives the pending mode, driver and PCI device id", async () => {
    tree = sysfsTree({ pci: [{ busId: "0000:01:00.0", vendor: "0x10de", pciClass: "0x030200", device: "0x20b2", numaNode: "0", localCpuList: "0-15" }] });
    // constructed from the -q -x fixture's own values; its MIG mode turned into "enable pending"
    const csv = "0, GPU-513536b6-7d19-9063-b049-1e69664bb298, NVIDIA A100-SXM4-80GB, 00000000:01:00.0, 81920, 50, [N/A], Disabled\n";
    const xml = fixture("nvidia-smi-q-x_a100-sxm4-80gb-mig.xml").replace("<current_mig>Enabled</current_mig>", "<current_mig>Disabled</current_mig>");
    const d = await discoverGpus(
      deps(
        {
          [QUERY_GPUS]: { stdout: csv },
          [argv(SMI_ARGS.details)]: { stdout: xml },
          [argv(SMI_ARGS.topology)]: { stdout: ONE_GPU_TOPO },
          [argv(SMI_ARGS.computeApps)]: { stdout: "" },
        },
        tree.hostRoot,
      ),
    );
    expect(d.problems).toEqual([]);
    expect(d).toMatchObject({ driverVersion: "535.54.03", cudaVersion: "12.2" });
    expect(d.gpus[0]).toMatchObject({ migMode: { current: "Disabled", pending: "Enabled" }, pciDeviceId: "0x20B210DE" });
    // MIG is not on yet, so no MIG listing is asked for
    expect(fake?.calls()).toEqual([QUERY_GPUS, "-q -x", "topo -m", argv(SMI_ARGS.computeApps)]);
  });

  it("GPUs without MIG support: no -q -x by default", async () => {
    const csv = "0, GPU-a, NVIDIA RTX 6000 Ada Generation, 00000000:01:00.0, 49140, 0, 0, [N/A]\n";
    const d = await discoverGpus(
      deps({ [QUERY_GPUS]: { stdout: csv }, [argv(SMI_ARGS.topology)]: { stdout: ONE_GPU_TOPO }, [argv(SMI_ARGS.computeApps)]: { stdout: "" } }, "/nonexistent-host-root"),
    );
    expect(d.gpus[0]?.migMode).toEqual({ current: null, pending: null });
    expect(fake?.calls()).toEqual([QUERY_GPUS, "topo -m", argv(SMI_ARGS.computeApps)]);
  });
});

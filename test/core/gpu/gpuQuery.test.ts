import { describe, expect, it } from "vitest";
import { GpuTextError, parseGpuQuery, parseQueryCsv } from "../../../core/gpu/index.js";
import { outputsByPrompt, readNodeFixture } from "./nodeFixtures.js";

const synthetic = () => readNodeFixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv");

/** What `--format=csv` (header, units) prints for the same GPUs: the header names units in brackets. */
function withHeaderAndUnits(noUnits: string): string {
  const header = "index, uuid, name, pci.bus_id, memory.total [MiB], memory.used [MiB], utilization.gpu [%], mig.mode.current";
  const rows = noUnits
    .trim()
    .split("\n")
    .map((l) => {
      const c = l.split(", ");
      const unit = (v: string | undefined, u: string) => (v === "[N/A]" ? v : `${v} ${u}`);
      return [c[0], c[1], c[2], c[3], unit(c[4], "MiB"), unit(c[5], "MiB"), unit(c[6], "%"), c[7]].join(", ");
    });
  return [header, ...rows].join("\n") + "\n";
}

function errorOf(fn: () => unknown): GpuTextError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GpuTextError) return err;
    throw err;
  }
  throw new Error("expected a GpuTextError");
}

describe("parseGpuQuery", () => {
  it("reads the agent's query on the 8×H100 SYNTHETIC fixture: bus ids in sysfs form, [N/A] as null", () => {
    const gpus = parseGpuQuery(synthetic());
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toEqual({
      index: 0,
      uuid: "GPU-3b84c06a-611d-8e07-2726-44a868f646fe",
      name: "NVIDIA H100 80GB HBM3",
      busId: "0000:18:00.0",
      memoryTotalMiB: 81559,
      memoryUsedMiB: 0,
      utilizationGpuPercent: 0,
      migMode: "Disabled",
    });
    expect(gpus.map((g) => g.busId)).toEqual([
      "0000:18:00.0",
      "0000:2a:00.0",
      "0000:3a:00.0",
      "0000:5d:00.0",
      "0000:9a:00.0",
      "0000:ab:00.0",
      "0000:ba:00.0",
      "0000:db:00.0",
    ]);
    expect(gpus.map((g) => g.migMode)).toEqual(["Disabled", "Disabled", "Disabled", "Disabled", "Disabled", "Disabled", "Enabled", "Enabled"]);
    expect(gpus[4]).toMatchObject({ memoryUsedMiB: 73512, utilizationGpuPercent: 97 });
    // utilization has no whole-GPU value on a MIG-enabled GPU
    expect(gpus[7]).toMatchObject({ memoryUsedMiB: 13, utilizationGpuPercent: null, migMode: "Enabled" });
  });

  it("reads the same GPUs printed with a header and units (--format=csv)", () => {
    expect(parseGpuQuery(withHeaderAndUnits(synthetic()))).toEqual(parseGpuQuery(synthetic()));
  });

  it("reads CRLF line ends and skips blank lines", () => {
    expect(parseGpuQuery(`\r\n${synthetic().replace(/\n/g, "\r\n")}\r\n`)).toEqual(parseGpuQuery(synthetic()));
  });

  it.each(["[N/A]", "N/A", "[Not Supported]", "[Unknown Error]"])("reads %s as null", (token) => {
    const line = `0, GPU-x, NVIDIA H100 PCIe, 00000000:01:00.0, ${token}, ${token}, ${token}, ${token}`;
    expect(parseGpuQuery(line)[0]).toMatchObject({ name: "NVIDIA H100 PCIe", memoryTotalMiB: null, memoryUsedMiB: null, utilizationGpuPercent: null, migMode: null });
  });

  it.each([
    ["a short row", "0, GPU-x, H100, 00000000:01:00.0, 1, 2, 3", 1, undefined, "expected 8 comma-separated fields"],
    ["a missing uuid", "0, [N/A], H100, 00000000:01:00.0, 1, 2, 3, Disabled", 1, "uuid", "no value"],
    ["a bad bus id", "0, GPU-x, H100, 01:00, 1, 2, 3, Disabled", 1, "pci.bus_id", "not a PCI bus id"],
    ["a wrong unit", "0, GPU-x, H100, 00000000:01:00.0, 81559 GiB, 2, 3, Disabled", 1, "memory.total", "not a whole number of MiB"],
    ["a bad MIG mode", "\n0, GPU-x, H100, 00000000:01:00.0, 1, 2, 3, On", 2, "mig.mode.current", "not Enabled or Disabled"],
    ["a repeated index", "0, GPU-x, H100, 00000000:01:00.0, 1, 2, 3, Disabled\n0, GPU-y, H100, 00000000:02:00.0, 1, 2, 3, Disabled", 2, "index", "listed twice"],
    ["a header for another query", "index, uuid, name\n", 1, undefined, "header has 3 columns, expected 8"],
    ["a header in another order", "index, name, uuid\n", 1, undefined, 'header column 2 is "name", expected "uuid"'],
  ])("names the line and field of %s", (_what, text, line, field, problem) => {
    const err = errorOf(() => parseGpuQuery(text));
    expect(err).toMatchObject({ line, field, code: "GPU_TEXT_INVALID" });
    expect(err.problem).toContain(problem);
  });
});

describe("parseQueryCsv on the other captured queries", () => {
  it("mig-mode_h100-pcie: header line, MIG Enabled", () => {
    const rows = parseQueryCsv(readNodeFixture("nvidia-smi-query-gpu_mig-mode_h100-pcie.csv"), ["pci.bus_id", "mig.mode.current"]);
    expect(rows).toEqual([{ line: 2, cells: { "pci.bus_id": "00000000:01:00.0", "mig.mode.current": "Enabled" } }]);
  });

  it("name-busid-vbios_h100-sxm: names with spaces stay whole", () => {
    const rows = parseQueryCsv(readNodeFixture("nvidia-smi-query-gpu_name-busid-vbios_h100-sxm.csv"), ["name", "pci.bus_id", "vbios_version"]);
    expect(rows.map((r) => r.cells)).toEqual([{ name: "NVIDIA H100 80GB HBM3", "pci.bus_id": "00000000:04:00.0", vbios_version: "96.00.89.00.01" }]);
  });

  it("mig-mode_rtx-vs-a100: [N/A] on a GPU without MIG, Disabled on A100", () => {
    const outputs = outputsByPrompt(readNodeFixture("nvidia-smi-query-gpu_mig-mode_rtx-vs-a100.txt")).map((o) => o.output);
    const modes = outputs.map((text) => parseQueryCsv(text, ["mig.mode.current"]).map((r) => r.cells["mig.mode.current"]));
    expect(modes).toEqual([[null], ["Disabled", "Disabled"]]);
  });
});

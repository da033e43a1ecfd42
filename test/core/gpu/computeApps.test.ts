import { describe, expect, it } from "vitest";
import { GpuTextError, parseComputeApps } from "../../../core/gpu/index.js";

// No real capture of --query-compute-apps exists in the fixtures yet: these texts follow spec §2.1.
describe("parseComputeApps", () => {
  it("reads pid, GPU UUID and memory, with or without units and header", () => {
    const plain = "4242, GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74, 73500\n4243, GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d, [N/A]\n";
    const withHeader = `pid, gpu_uuid, used_memory [MiB]\n${plain.replace("73500", "73500 MiB")}`;
    const want = [
      { pid: 4242, gpuUuid: "GPU-43a78ae4-f89f-ca72-2ff2-27e8a8a27f74", usedMemoryMiB: 73500 },
      { pid: 4243, gpuUuid: "GPU-11f36bf0-2679-fa1a-3940-f938f0b6a05d", usedMemoryMiB: null },
    ];
    expect(parseComputeApps(plain)).toEqual(want);
    expect(parseComputeApps(withHeader)).toEqual(want);
  });

  it.each(["", "\n", "No running processes found\n", "No running compute processes found\n"])("reads %j as no processes", (text) => {
    expect(parseComputeApps(text)).toEqual([]);
  });

  it("names the line of a row without a pid", () => {
    expect(() => parseComputeApps("4242, GPU-a, 1\n[N/A], GPU-b, 2\n")).toThrow(GpuTextError);
    expect(() => parseComputeApps("4242, GPU-a, 1\n[N/A], GPU-b, 2\n")).toThrow("line 2, pid: no process id");
  });
});

import { describe, expect, it } from "vitest";
import { GpuTextError, parseSmiLog } from "../../../core/gpu/index.js";
import { readNodeFixture } from "./nodeFixtures.js";

const a100 = () => readNodeFixture("nvidia-smi-q-x_a100-sxm4-80gb-mig.xml");

describe("parseSmiLog (nvidia-smi -q -x)", () => {
  it("A100 SXM4 80GB with MIG (telegraf v12 fixture): the fields the agent uses", () => {
    const log = parseSmiLog(a100());
    expect(log).toMatchObject({ driverVersion: "535.54.03", cudaVersion: "12.2", attachedGpus: 4 });
    expect(log.gpus).toHaveLength(1); // trimmed test data: attached_gpus says 4
    const gpu = log.gpus[0];
    expect(gpu).toMatchObject({
      busId: "0000:01:00.0",
      productName: "NVIDIA A100-SXM4-80GB",
      uuid: "GPU-513536b6-7d19-9063-b049-1e69664bb298",
      minorNumber: 1,
      migMode: { current: "Enabled", pending: "Enabled" },
      pciDeviceId: "0x20B210DE", // mig-parted's device-filter spelling for A100-SXM4-80GB
      fbMemory: { totalMiB: 81920, reservedMiB: 869, usedMiB: 50, freeMiB: 80999 },
    });
    expect(gpu?.migDevices).toHaveLength(4);
    expect(gpu?.migDevices[0]).toEqual({
      index: 0,
      gpuInstanceId: 3,
      computeInstanceId: 0,
      multiprocessors: 14,
      fbMemory: { totalMiB: 19968, reservedMiB: 0, usedMiB: 12, freeMiB: 19955 },
    });
    expect(gpu?.migDevices.map((d) => [d.index, d.gpuInstanceId])).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it("reads a GPU without MIG support: N/A modes and no mig_devices element", () => {
    const text = a100()
      .replace(/<current_mig>Enabled<\/current_mig>/, "<current_mig>N/A</current_mig>")
      .replace(/<pending_mig>Enabled<\/pending_mig>/, "<pending_mig>N/A</pending_mig>")
      .replace(/<mig_devices>[\s\S]*<\/mig_devices>/, "<mig_devices>None</mig_devices>");
    expect(parseSmiLog(text).gpus[0]).toMatchObject({ migMode: { current: null, pending: null }, migDevices: [] });
  });

  it("sees a pending MIG mode change (waits for a GPU reset)", () => {
    const text = a100().replace("<pending_mig>Enabled</pending_mig>", "<pending_mig>Disabled</pending_mig>");
    expect(parseSmiLog(text).gpus[0]?.migMode).toEqual({ current: "Enabled", pending: "Disabled" });
  });

  it("names the line and XML path of a value it cannot read", () => {
    const text = a100().replace("<total>81920 MiB</total>", "<total>80 GiB</total>");
    let err: unknown;
    try {
      parseSmiLog(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GpuTextError);
    expect(err).toMatchObject({ line: 229, field: "gpu[0]/fb_memory_usage/total" });
    expect(String((err as Error).message)).toContain('"80 GiB" is not a whole number of MiB');
  });

  it("refuses a document that is not nvidia-smi's", () => {
    expect(() => parseSmiLog("<html></html>")).toThrow("line 1, xml: root element is <html>, expected <nvidia_smi_log>");
  });
});

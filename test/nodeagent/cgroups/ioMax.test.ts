import { describe, expect, it } from "vitest";
import { applyIoMaxWrite, ioMaxRestoreLines, parseIoMax } from "../../../nodeagent/cgroups/index.js";

describe("io.max as the kernel keeps it", () => {
  it("fills the keys a write leaves out with max", () => {
    expect(applyIoMaxWrite("", "8:16 rbps=2097152 wiops=120")).toBe("8:16 rbps=2097152 wbps=max riops=max wiops=120\n");
  });

  it("changes only the keys written, on the device's own line", () => {
    const before = "8:0 rbps=100 wbps=max riops=max wiops=max\n8:16 rbps=max wbps=5 riops=max wiops=max\n";
    expect(applyIoMaxWrite(before, "8:0 wbps=7")).toBe("8:0 rbps=100 wbps=7 riops=max wiops=max\n8:16 rbps=max wbps=5 riops=max wiops=max\n");
  });

  it("drops a device whose keys are all max", () => {
    expect(applyIoMaxWrite("8:16 rbps=1 wbps=max riops=max wiops=max\n", "8:16 rbps=max")).toBe("");
  });

  it("refuses a line the kernel would refuse", () => {
    expect(applyIoMaxWrite("", "sda rbps=1")).toBeUndefined();
    expect(applyIoMaxWrite("", "8:0 rbps=-1")).toBeUndefined();
    expect(applyIoMaxWrite("", "8:0 bogus=1")).toBeUndefined();
  });

  it("undoes our lines one device at a time", () => {
    const original = "8:16 rbps=2097152 wbps=max riops=max wiops=120\n";
    const throttled = "8:16 rbps=5 wbps=5 riops=max wiops=120\n259:0 rbps=5 wbps=5 riops=max wiops=max\n";
    const lines = ioMaxRestoreLines(throttled, original);
    expect(lines).toEqual(["8:16 rbps=2097152 wbps=max riops=max wiops=120", "259:0 rbps=max wbps=max riops=max wiops=max"]);
    expect(lines.reduce(applyIoMaxWrite as (a: string, b: string) => string, throttled)).toBe(original);
    expect(parseIoMax(original)).toEqual([{ device: "8:16", limits: { rbps: 2097152, wbps: "max", riops: "max", wiops: 120 } }]);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CpuListError, cpuCount, expandCpuList, formatCpuList, parseCpuList } from "../../../core/topology/index.js";

describe("parseCpuList", () => {
  it.each([
    ["0-55,112-167", [{ first: 0, last: 55 }, { first: 112, last: 167 }]],
    ["1", [{ first: 1, last: 1 }]],
    ["", []],
    ["  ", []],
    ["0-3\n", [{ first: 0, last: 3 }]], // sysfs files end in a newline
    ["8-11,0-3,4-7", [{ first: 0, last: 11 }]], // sorted and merged
    ["0,2,4-5,3", [{ first: 0, last: 0 }, { first: 2, last: 5 }]],
    ["0-3, 8-11", [{ first: 0, last: 3 }, { first: 8, last: 11 }]],
  ])("%j", (text, ranges) => {
    expect(parseCpuList(text)).toEqual(ranges);
  });

  it.each([
    ["0-", "is not an id or a range"],
    ["a-b", "is not an id or a range"],
    ["0-31:2", "is not an id or a range"], // stride form: kernel parameters only, never printed by sysfs
    ["5-2", "runs backwards"],
    ["0,,1", "is not an id or a range"],
    ["-1", "is not an id or a range"], // numa_node's "unknown" is not a list
    ["99999999", "exceeds the largest id"],
  ])("rejects %j", (text, message) => {
    expect(() => parseCpuList(text)).toThrow(CpuListError);
    expect(() => parseCpuList(text)).toThrow(message);
  });

  it("formats, counts and expands", () => {
    const ranges = parseCpuList("48-63,176-191");
    expect(formatCpuList(ranges)).toBe("48-63,176-191");
    expect(cpuCount(ranges)).toBe(32);
    expect(expandCpuList(parseCpuList("0-3"))).toEqual([0, 1, 2, 3]);
    expect(formatCpuList(parseCpuList("7"))).toBe("7");
    expect(formatCpuList([])).toBe("");
  });

  it("reads back what it formats, as the same set of ids", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (ids) => {
        const text = [...ids].reverse().join(",");
        const ranges = parseCpuList(text);
        expect(expandCpuList(ranges)).toEqual([...ids].sort((a, b) => a - b));
        expect(parseCpuList(formatCpuList(ranges))).toEqual(ranges);
        expect(cpuCount(ranges)).toBe(ids.length);
      }),
    );
  });
});

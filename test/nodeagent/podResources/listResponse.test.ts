import { describe, expect, it } from "vitest";
import { podDevicesFromList } from "../../../nodeagent/podResources/listResponse.js";

const decoded = (topology: unknown) => ({
  pod_resources: [
    {
      name: "p",
      namespace: "ns",
      containers: [{ name: "c", devices: [{ resource_name: "nvidia.com/gpu", device_ids: ["GPU-1"], topology }], cpu_ids: [4, 5], memory: [], dynamic_resources: [] }],
    },
  ],
});

describe("podDevicesFromList", () => {
  it("renames the .proto fields, flattens topology to NUMA ids and drops what the agent does not read", () => {
    expect(podDevicesFromList(decoded({ nodes: [{ ID: 0 }, { ID: 1 }] }))).toEqual([
      { namespace: "ns", name: "p", containers: [{ name: "c", devices: [{ resourceName: "nvidia.com/gpu", deviceIds: ["GPU-1"], numaNodes: [0, 1] }] }] },
    ]);
  });

  it("an unset topology (null in proto3 decoding) is no NUMA node", () => {
    expect(podDevicesFromList(decoded(null))[0]?.containers[0]?.devices[0]?.numaNodes).toEqual([]);
  });

  it("refuses int64 left as Long objects (a loader without longs: Number), naming the field", () => {
    expect(() => podDevicesFromList(decoded({ nodes: [{ ID: { low: 1, high: 0, unsigned: false } }] }))).toThrow(
      /^pod_resources\.0\.containers\.0\.devices\.0\.topology\.nodes\.0\.ID: /,
    );
  });

  it("refuses an answer without pod_resources", () => {
    expect(() => podDevicesFromList({})).toThrow(/^pod_resources: /);
  });
});

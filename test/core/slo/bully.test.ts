import { describe, expect, it } from "vitest";
import { chooseBully, type NeighbourPod } from "../../../core/slo/index.js";

const victim = { uid: "victim", gpus: ["GPU-0"], numaNodes: [0] };
const pod = (uid: string, over: Partial<NeighbourPod> = {}): NeighbourPod => ({
  uid,
  throttleOptIn: true,
  hasSlo: false,
  gpus: [],
  numaNodes: [],
  ...over,
});

describe("chooseBully", () => {
  it("picks the busiest GPU user among pods sharing the victim's GPU", () => {
    const pods = [
      pod("light", { gpus: ["GPU-0"], gpuUtilPct: 10, ioBytesPerSec: 9e9 }),
      pod("heavy", { gpus: ["GPU-0"], gpuUtilPct: 70 }),
      pod("numa-io", { numaNodes: [0], ioBytesPerSec: 1e12 }),
    ];
    expect(chooseBully(victim, pods)).toEqual({ kind: "bully", uid: "heavy", relation: "same-gpu", gpuUtilPct: 70, ioBytesPerSec: 0 });
  });

  it("falls back to the heaviest io user on the victim's NUMA node", () => {
    const pods = [pod("io-a", { numaNodes: [0], ioBytesPerSec: 5e6 }), pod("io-b", { numaNodes: [0], ioBytesPerSec: 9e6 }), pod("far", { numaNodes: [1], ioBytesPerSec: 1e9 })];
    expect(chooseBully(victim, pods)).toMatchObject({ kind: "bully", uid: "io-b", relation: "same-numa" });
  });

  it("never picks a pod that did not opt in, nor one with its own SLO, nor the victim", () => {
    const pods = [
      pod("victim", { gpus: ["GPU-0"], gpuUtilPct: 100 }),
      pod("no-opt-in", { gpus: ["GPU-0"], gpuUtilPct: 90, throttleOptIn: false }),
      pod("tenant", { gpus: ["GPU-0"], gpuUtilPct: 90, hasSlo: true }),
    ];
    expect(chooseBully(victim, pods)).toEqual({ kind: "none", reason: "no-eligible-neighbour" });
  });

  it("blames no idle pod", () => {
    expect(chooseBully(victim, [pod("idle", { gpus: ["GPU-0"], gpuUtilPct: 0 })])).toEqual({ kind: "none", reason: "idle-neighbours" });
  });

  it("says when the victim has no neighbour", () => {
    expect(chooseBully(victim, [pod("elsewhere", { gpus: ["GPU-7"], numaNodes: [1], gpuUtilPct: 50 })])).toEqual({ kind: "none", reason: "no-neighbour" });
  });

  it("breaks ties by UID so the choice is stable", () => {
    const pods = [pod("b", { gpus: ["GPU-0"], gpuUtilPct: 50 }), pod("a", { gpus: ["GPU-0"], gpuUtilPct: 50 })];
    expect(chooseBully(victim, pods)).toMatchObject({ uid: "a" });
  });
});

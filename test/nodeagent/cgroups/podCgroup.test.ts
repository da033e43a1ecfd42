import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  detectCgroupHierarchy,
  isCgroupRefusal,
  parseProcCgroup,
  podCgroupRelDir,
  podUidFromCgroupPath,
  requireCgroupV2,
  resolvePodCgroup,
  reverifyPodCgroup,
  type RefusalReason,
} from "../../../nodeagent/cgroups/index.js";
import { nodeFixture } from "../../core/slo/sloFixtures.js";
import { CgroupTree, UID_A, UID_B } from "./cgroupTree.js";

/** The command output in a fixture, without its `$ command` prompt lines and what follows a second prompt. */
const commandOutput = (name: string): string => nodeFixture(name).split(/^\$ .*$/m)[1] ?? "";

function refusal(fn: () => unknown): RefusalReason | "none" {
  try {
    fn();
    return "none";
  } catch (err) {
    if (isCgroupRefusal(err)) return err.reason;
    throw err;
  }
}

describe("kubelet pod cgroup names", () => {
  it.each([
    { qos: "Burstable", driver: "systemd", want: `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_A.replace(/-/g, "_")}.slice` },
    { qos: "BestEffort", driver: "systemd", want: `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_A.replace(/-/g, "_")}.slice` },
    { qos: "Guaranteed", driver: "systemd", want: `kubepods.slice/kubepods-pod${UID_A.replace(/-/g, "_")}.slice` },
    { qos: "Burstable", driver: "cgroupfs", want: `kubepods/burstable/pod${UID_A}` },
    { qos: "BestEffort", driver: "cgroupfs", want: `kubepods/besteffort/pod${UID_A}` },
    { qos: "Guaranteed", driver: "cgroupfs", want: `kubepods/pod${UID_A}` },
  ] as const)("$qos with $driver: $want", ({ qos, driver, want }) => {
    expect(podCgroupRelDir(UID_A, qos, driver)).toBe(want);
  });

  it("matches the real systemd + containerd path of the fixture", () => {
    const proc = parseProcCgroup(commandOutput("proc-1-cgroup_k8s-pod_cgroupv2-systemd-containerd.txt"));
    expect(proc.hierarchy).toBe("v2");
    if (proc.hierarchy !== "v2") return;
    expect(podUidFromCgroupPath(proc.path)).toBe(UID_A);
    expect(proc.path.startsWith(`/${podCgroupRelDir(UID_A, "Burstable", "systemd")}/cri-containerd-`)).toBe(true);
  });

  it("finds the UID in the slice:runtime:id form and in cgroupfs paths", () => {
    expect(podUidFromCgroupPath(`/system.slice/containerd.service/kubepods-burstable-pod${UID_B.replace(/-/g, "_")}.slice:cri-containerd:abc`)).toBe(UID_B);
    expect(podUidFromCgroupPath(`/kubepods/besteffort/pod${UID_B}/0123abcd`)).toBe(UID_B);
    expect(podUidFromCgroupPath("/system.slice/sshd.service")).toBeUndefined();
  });
});

describe("cgroup hierarchy detection", () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "steward-hier-"));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it("reads the real hybrid host's /proc/self/cgroup as not v2", () => {
    expect(parseProcCgroup(commandOutput("proc-self-cgroup_real-cgroup-v1-hybrid.txt"))).toEqual({ hierarchy: "hybrid" });
    expect(parseProcCgroup("4:memory:/x\n1:cpu:/\n")).toEqual({ hierarchy: "v1" });
  });

  it("tells v2, hybrid and v1 roots apart", () => {
    const v2 = join(base, "v2");
    mkdirSync(v2);
    writeFileSync(join(v2, "cgroup.controllers"), "cpu io\n");
    const hybrid = join(base, "hybrid");
    mkdirSync(join(hybrid, "unified"), { recursive: true });
    writeFileSync(join(hybrid, "unified", "cgroup.controllers"), "");
    const v1 = join(base, "v1");
    mkdirSync(join(v1, "blkio"), { recursive: true });
    expect([v2, hybrid, v1].map(detectCgroupHierarchy)).toEqual(["v2", "hybrid", "v1"]);
  });

  it("refuses a v1 host with a message saying what is off and what goes on", () => {
    mkdirSync(join(base, "cpu"));
    expect(() => requireCgroupV2(base)).toThrow(/cgroup v1 hierarchy: throttling needs cgroup v2 \(io.max, cpu.max\), so mitigation is off; discovery and reporting go on/);
  });
});

describe("resolvePodCgroup", () => {
  let tree: CgroupTree;
  beforeEach(() => {
    tree = new CgroupTree();
  });
  afterEach(() => tree.cleanup());

  it.each(["systemd", "cgroupfs"] as const)("finds a %s pod with its own driver and with auto", (driver) => {
    const dir = tree.addPod(UID_A, "Burstable", driver);
    expect(resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, driver).relDir).toBe(podCgroupRelDir(UID_A, "Burstable", driver));
    expect(resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "auto").dir.endsWith(podCgroupRelDir(UID_A, "Burstable", driver))).toBe(true);
    expect(dir.endsWith(podCgroupRelDir(UID_A, "Burstable", driver))).toBe(true);
  });

  it("does not look in the other driver's layout when the driver is given", () => {
    tree.addPod(UID_A, "Burstable", "cgroupfs");
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "systemd"))).toBe("pod-cgroup-missing");
  });

  it("does not take another QoS class's directory", () => {
    tree.addPod(UID_A, "BestEffort", "systemd");
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "systemd"))).toBe("pod-cgroup-missing");
  });

  it.each(["../../../etc", `${UID_A}/..`, UID_A.toUpperCase(), "", `${UID_A}\n`, "pod/../../x"])("refuses the UID %j", (uid) => {
    expect(refusal(() => resolvePodCgroup(tree.root, { uid, qosClass: "Burstable" }, "auto"))).toBe("invalid-uid");
  });

  it("refuses a pod directory that is a symlink to another pod's cgroup", () => {
    const other = tree.addPod(UID_B, "Burstable", "systemd");
    const expected = join(tree.root, podCgroupRelDir(UID_A, "Burstable", "systemd"));
    symlinkSync(other, expected);
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "systemd"))).toBe("outside-pod-tree");
  });

  it("refuses a pod directory that is a symlink out of the cgroup tree", () => {
    const outside = join(tree.base, "elsewhere");
    mkdirSync(outside);
    mkdirSync(join(tree.root, "kubepods", "burstable"), { recursive: true });
    symlinkSync(outside, join(tree.root, podCgroupRelDir(UID_A, "Burstable", "cgroupfs")));
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "cgroupfs"))).toBe("outside-pod-tree");
  });

  it("refuses when kubepods.slice itself is a symlink (to system.slice)", () => {
    const system = join(tree.root, "system.slice");
    mkdirSync(join(system, "kubepods-burstable.slice", `kubepods-burstable-pod${UID_A.replace(/-/g, "_")}.slice`), { recursive: true });
    symlinkSync(system, join(tree.root, "kubepods.slice"));
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Burstable" }, "systemd"))).toBe("outside-pod-tree");
  });

  it("re-checks a recorded directory: only this UID's kubepods forms pass", () => {
    tree.addPod(UID_A, "Burstable", "systemd");
    const rel = podCgroupRelDir(UID_A, "Burstable", "systemd");
    expect(reverifyPodCgroup(tree.root, UID_A, rel)?.relDir).toBe(rel);
    expect(refusal(() => reverifyPodCgroup(tree.root, UID_B, rel))).toBe("outside-pod-tree");
    expect(refusal(() => reverifyPodCgroup(tree.root, UID_A, `${rel}/../../..`))).toBe("outside-pod-tree");
    expect(refusal(() => reverifyPodCgroup(tree.root, UID_A, "system.slice"))).toBe("outside-pod-tree");
    expect(reverifyPodCgroup(tree.root, UID_A, podCgroupRelDir(UID_A, "Guaranteed", "cgroupfs"))).toBeUndefined();
  });

  it("leaves files outside untouched when refusing", () => {
    const outside = join(tree.base, "passwd");
    writeFileSync(outside, "root:x:0:0\n");
    mkdirSync(join(tree.root, "kubepods"), { recursive: true });
    symlinkSync(tree.base, join(tree.root, "kubepods", `pod${UID_A}`));
    expect(refusal(() => resolvePodCgroup(tree.root, { uid: UID_A, qosClass: "Guaranteed" }, "cgroupfs"))).toBe("outside-pod-tree");
    expect(readFileSync(outside, "utf8")).toBe("root:x:0:0\n");
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { podCgroupRelDir, type QosClass } from "../../../nodeagent/cgroups/index.js";

/** What a pod cgroup holds on a cgroup v2 host where the kubelet enabled cpu and io. */
export interface PodFiles {
  ioMax?: string;
  cpuMax?: string;
  controllers?: string;
}

/**
 * A temp directory shaped like /sys/fs/cgroup on a v2 host: `cgroup.controllers` at the root, pod
 * directories where the kubelet puts them for either driver. Plain files stand in for the kernel's.
 */
export class CgroupTree {
  readonly root: string;

  constructor(readonly base = mkdtempSync(join(tmpdir(), "steward-cgroup-"))) {
    this.root = join(base, "cgroup");
    mkdirSync(this.root);
    writeFileSync(join(this.root, "cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
  }

  addPod(uid: string, qos: QosClass, driver: "systemd" | "cgroupfs", files: PodFiles = {}): string {
    const dir = join(this.root, podCgroupRelDir(uid, qos, driver));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cgroup.controllers"), files.controllers ?? "cpuset cpu io memory pids\n");
    writeFileSync(join(dir, "io.max"), files.ioMax ?? "");
    writeFileSync(join(dir, "cpu.max"), files.cpuMax ?? "max 100000\n");
    return dir;
  }

  cleanup(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

export const UID_A = "70e3e272-514d-4610-b9f2-09b476631f1e";
export const UID_B = "0b5c6d2e-8f1a-4c3b-9d7e-112233445566";
export const UID_C = "c0ffee00-1234-4abc-8def-0123456789ab";

import { existsSync } from "node:fs";
import { join } from "node:path";
import { CgroupRefusal } from "./refusal.js";

export type CgroupHierarchy = "v2" | "hybrid" | "v1";

/**
 * Which cgroup hierarchy is mounted at `root`. Only the unified (v2) hierarchy has `cgroup.controllers`
 * at its root; on hybrid hosts the root is a tmpfs of v1 controller mounts with the v2 tree under
 * `unified/` (real capture: `proc-self-cgroup_real-cgroup-v1-hybrid.txt`, `stat -fc %T` = tmpfs).
 * Reading a marker file rather than the filesystem magic keeps a temp-dir tree usable in tests.
 */
export function detectCgroupHierarchy(root: string): CgroupHierarchy {
  if (existsSync(join(root, "cgroup.controllers"))) return "v2";
  if (existsSync(join(root, "unified", "cgroup.controllers"))) return "hybrid";
  return "v1";
}

/** Throws CgroupRefusal "cgroup-v1" unless `root` is a cgroup v2 hierarchy. */
export function requireCgroupV2(root: string): void {
  const found = detectCgroupHierarchy(root);
  if (found === "v2") return;
  throw new CgroupRefusal(
    "cgroup-v1",
    `${root} is a cgroup ${found} hierarchy: throttling needs cgroup v2 (io.max, cpu.max), so mitigation is off; discovery and reporting go on`,
    root,
  );
}

export type ProcCgroup = { readonly hierarchy: "v2"; readonly path: string } | { readonly hierarchy: "v1" | "hybrid" };

/**
 * `/proc/<pid>/cgroup`: on a pure v2 host a single `0::/path` line; v1 hosts list numbered controller
 * lines, and hybrid ones add an empty `0::/` to them.
 */
export function parseProcCgroup(text: string): ProcCgroup {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const unified = lines.filter((l) => l.startsWith("0::"));
  const numbered = lines.filter((l) => !l.startsWith("0::"));
  if (numbered.length > 0) return { hierarchy: unified.length > 0 ? "hybrid" : "v1" };
  if (unified.length !== 1) return { hierarchy: "v1" };
  return { hierarchy: "v2", path: unified[0]!.slice(3) };
}

/**
 * Pod UID in a cgroup path, for either kubelet layout (`_` in systemd slice names stands for `-`).
 * Also finds it in the `…/kubepods-burstable-pod<UID>.slice:cri-containerd:<id>` form some setups show;
 * only the UID is trusted, never that path: writes go through resolvePodCgroup.
 */
export function podUidFromCgroupPath(path: string): string | undefined {
  const m = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})(\.slice)?(\/|:|$)/.exec(path);
  return m === null ? undefined : m[1]!.replace(/_/g, "-");
}

import path from "node:path";

/**
 * Where the host's pseudo-filesystems are. The agent runs in a pod that mounts the host's `/sys` and
 * `/proc` somewhere (`--host-root`); tests point them at a temp dir. The cgroup root is separate
 * because it is mounted on its own (`--cgroup-root`) and the mitigation code writes only below it.
 */
export interface HostPaths {
  readonly hostRoot: string;
  readonly sys: string;
  readonly proc: string;
  readonly dev: string;
  readonly cgroup: string;
}

export function hostPaths(roots: { readonly hostRoot?: string; readonly cgroupRoot?: string } = {}): HostPaths {
  const hostRoot = path.resolve(roots.hostRoot ?? "/");
  return Object.freeze({
    hostRoot,
    sys: path.join(hostRoot, "sys"),
    proc: path.join(hostRoot, "proc"),
    dev: path.join(hostRoot, "dev"),
    cgroup: path.resolve(roots.cgroupRoot ?? path.join(hostRoot, "sys/fs/cgroup")),
  });
}

/** `/sys/bus/pci/devices/<busId>`: one directory (a symlink into `/sys/devices`) per PCI function. */
export function pciDevicesDir(paths: HostPaths): string {
  return path.join(paths.sys, "bus/pci/devices");
}

/** `/sys/devices/system/node`: `online` and one `nodeN/` per NUMA node. */
export function numaNodesDir(paths: HostPaths): string {
  return path.join(paths.sys, "devices/system/node");
}

/** Public surface of nodeagent/discovery: what the agent knows about the node's GPUs, and the ports it reads them through. */
export type { CommandFailure, CommandResult, CommandRunner } from "./commandRunner.js";
export { CommandError, isCommandError } from "./commandRunner.js";
export type { DiscoveryDeps, GpuDiscovery, GpuProcess } from "./discover.js";
export { discoverGpus } from "./discover.js";
export { DEFAULT_MAX_OUTPUT_BYTES, ExecFileRunner } from "./execFileRunner.js";
export type { DiscoveredGpu } from "./gpu.js";
export type { HostPaths } from "./hostPaths.js";
export { hostPaths, numaNodesDir, pciDevicesDir } from "./hostPaths.js";
export type { MigDevice, MigLayout } from "./migLayout.js";
export { NO_MIG } from "./migLayout.js";
export { DEFAULT_SMI_TIMEOUT_MS, SMI_ARGS } from "./nvidiaSmi.js";
export type { PciPlacement, SysfsGpu } from "./sysfs.js";
export { listSysfsGpus, readNumaDistances, readPciPlacement } from "./sysfs.js";

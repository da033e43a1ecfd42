/** nodeagent/cgroups public surface: pod cgroup resolution, v1 refusal, throttle writes and their restore. */
export { CGROUP2_SUPER_MAGIC, cgroupFilesFor, emulatedCgroupFiles, kernelCgroupFiles, type CgroupFiles } from "./cgroupFiles.js";
export { detectCgroupHierarchy, parseProcCgroup, podUidFromCgroupPath, requireCgroupV2, type CgroupHierarchy, type ProcCgroup } from "./hierarchy.js";
export { applyIoMaxWrite, formatIoMaxLine, ioMaxRestoreLines, parseIoMax, unlimitedLine, type IoMaxLine } from "./ioMax.js";
export {
  podCgroupRelDir,
  resolvePodCgroup,
  reverifyPodCgroup,
  type CgroupDriver,
  type PodCgroup,
  type PodRef,
  type QosClass,
} from "./podCgroup.js";
export { CgroupRefusal, isCgroupRefusal, type RefusalReason } from "./refusal.js";
export { ThrottleRecords, type ThrottledFile, type ThrottleRecord } from "./throttleRecords.js";
export { CgroupThrottler, type CgroupThrottlerOptions, type IoThrottle, type PodLimits, type RestoreOutcome, type WriteOutcome } from "./throttler.js";
export { IoRates, parseIoStat, PodIoReader, wholeDisks, type DeviceIo } from "./ioStat.js";

import type { MigMode } from "../../core/gpu/index.js";

/** One GPU as discovery reports it, joined from nvidia-smi (`--query-gpu`, `-q -x`) and sysfs. */
export interface DiscoveredGpu {
  /** nvidia-smi's index; in a sysfs-only inventory, the position in bus-id order (see inventory.ts). */
  readonly index: number;
  /** Null in a sysfs-only inventory. */
  readonly uuid: string | null;
  /** sysfs spelling, `0000:18:00.0`. */
  readonly busId: string;
  readonly model: string | null;
  readonly memoryTotalMiB: number | null;
  readonly memoryUsedMiB: number | null;
  readonly utilizationGpuPercent: number | null;
  /** `pending` differs from `current` while a mode change waits for a GPU reset; null when not known. */
  readonly migMode: { readonly current: MigMode | null; readonly pending: MigMode | null };
  /** mig-parted's `device-filter` spelling (`0x233010DE`), from `-q -x` or sysfs `device`. */
  readonly pciDeviceId: string | null;
  /** From sysfs; null when sysfs has none (`-1`) or was not readable. */
  readonly numaNode: number | null;
  /** sysfs `local_cpulist` (the hardware's, not nvidia-smi's cpuset); null when not readable. */
  readonly localCpuList: string | null;
}

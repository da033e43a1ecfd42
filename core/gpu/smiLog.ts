import { normaliseBusId } from "../topology/index.js";
import { GpuTextError } from "./errors.js";
import { type MigMode, readMigMode } from "./migMode.js";
import { isNotAvailable } from "./queryCsv.js";
import { childElement, childElements, parseXml, type XmlElement } from "./xml.js";

/** Frame-buffer memory as `-q -x` prints it (`81920 MiB`); null for `N/A` or a missing element. */
export interface FbMemory {
  readonly totalMiB: number | null;
  readonly reservedMiB: number | null;
  readonly usedMiB: number | null;
  readonly freeMiB: number | null;
}

export interface SmiLogMigDevice {
  /** nvidia-smi's MIG device index on its GPU (the `Device  N` of `-L`). */
  readonly index: number;
  readonly gpuInstanceId: number;
  readonly computeInstanceId: number;
  readonly multiprocessors: number | null;
  readonly fbMemory: FbMemory;
}

export interface SmiLogGpu {
  /** sysfs spelling of `<gpu id="00000000:01:00.0">` (or `pci/pci_bus_id` when the attribute is absent). */
  readonly busId: string;
  readonly productName: string | null;
  readonly uuid: string | null;
  /** `/dev/nvidia<minor>`. */
  readonly minorNumber: number | null;
  /** A pending mode that differs from the current one waits for a GPU reset (A100) or reboot. */
  readonly migMode: { readonly current: MigMode | null; readonly pending: MigMode | null };
  readonly migDevices: readonly SmiLogMigDevice[];
  /**
   * `device<<16 | vendor` in mig-parted's `device-filter` spelling (`0x20B210DE` = A100-SXM4-80GB), so a
   * layout's filter can be checked against the GPU without a table of models.
   */
  readonly pciDeviceId: string | null;
  readonly fbMemory: FbMemory;
}

/** The parts of `nvidia-smi -q -x` the agent uses (spec §2.2). */
export interface SmiLog {
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  /** What the driver says; may exceed `gpus.length` in trimmed captures (the telegraf fixture says 4, holds 1). */
  readonly attachedGpus: number | null;
  readonly gpus: readonly SmiLogGpu[];
}

/** Reads `nvidia-smi -q -x`. Throws GpuTextError with the line and the XML path of a value it cannot read. */
export function parseSmiLog(xml: string): SmiLog {
  const root = parseXml(xml);
  if (root.name !== "nvidia_smi_log") throw new GpuTextError(root.line, "xml", `root element is <${root.name}>, expected <nvidia_smi_log>`);
  return {
    driverVersion: textAt(root, ["driver_version"]),
    cudaVersion: textAt(root, ["cuda_version"]),
    attachedGpus: integerAt(root, ["attached_gpus"], "nvidia_smi_log"),
    gpus: childElements(root, "gpu").map((gpu, i) => readGpu(gpu, `gpu[${i}]`)),
  };
}

function readGpu(gpu: XmlElement, path: string): SmiLogGpu {
  const rawBus = gpu.attributes.id ?? textAt(gpu, ["pci", "pci_bus_id"]);
  if (rawBus === null) throw new GpuTextError(gpu.line, `${path}/@id`, "no PCI bus id");
  let busId: string;
  try {
    busId = normaliseBusId(rawBus);
  } catch {
    throw new GpuTextError(gpu.line, `${path}/@id`, `"${rawBus}" is not a PCI bus id`);
  }
  const deviceId = textAt(gpu, ["pci", "pci_device_id"]);
  const migDevices = childElement(gpu, "mig_devices");
  return {
    busId,
    productName: textAt(gpu, ["product_name"]),
    uuid: textAt(gpu, ["uuid"]),
    minorNumber: integerAt(gpu, ["minor_number"], path),
    migMode: { current: migModeAt(gpu, "current_mig", path), pending: migModeAt(gpu, "pending_mig", path) },
    migDevices: migDevices ? childElements(migDevices, "mig_device").map((d, k) => readMigDevice(d, `${path}/mig_devices/mig_device[${k}]`)) : [],
    pciDeviceId: deviceId === null ? null : `0x${deviceId.toUpperCase()}`,
    fbMemory: fbMemoryAt(gpu, path),
  };
}

function readMigDevice(d: XmlElement, path: string): SmiLogMigDevice {
  const required = (name: string) => {
    const v = integerAt(d, [name], path);
    if (v === null) throw new GpuTextError(d.line, `${path}/${name}`, "missing");
    return v;
  };
  return {
    index: required("index"),
    gpuInstanceId: required("gpu_instance_id"),
    computeInstanceId: required("compute_instance_id"),
    multiprocessors: integerAt(d, ["device_attributes", "shared", "multiprocessor_count"], path),
    fbMemory: fbMemoryAt(d, path),
  };
}

function elementAt(el: XmlElement, names: readonly string[]): XmlElement | undefined {
  let at: XmlElement | undefined = el;
  for (const n of names) at = at && childElement(at, n);
  return at;
}

/** Trimmed text of the element at `names`; null when absent, empty or `N/A`. */
function textAt(el: XmlElement, names: readonly string[]): string | null {
  const text = elementAt(el, names)?.text.trim();
  return text === undefined || text === "" || isNotAvailable(text) ? null : text;
}

/** A whole number, optionally with `unit` after it (`81920 MiB`). */
function integerAt(el: XmlElement, names: readonly string[], path: string, unit?: string): number | null {
  const text = textAt(el, names);
  if (text === null) return null;
  const m = /^(\d+)(?:\s+(\S+))?$/.exec(text);
  if (!m || m[2] !== unit) {
    const line = elementAt(el, names)?.line ?? el.line;
    throw new GpuTextError(line, `${path}/${names.join("/")}`, `"${text}" is not a whole number${unit ? ` of ${unit}` : ""}`);
  }
  return Number(m[1]);
}

function migModeAt(gpu: XmlElement, name: string, path: string): MigMode | null {
  const text = textAt(gpu, ["mig_mode", name]);
  const mode = readMigMode(text);
  if (mode === undefined) {
    const line = elementAt(gpu, ["mig_mode", name])?.line ?? gpu.line;
    throw new GpuTextError(line, `${path}/mig_mode/${name}`, `"${text}" is not Enabled or Disabled`);
  }
  return mode;
}

function fbMemoryAt(el: XmlElement, path: string): FbMemory {
  const at = (name: string) => integerAt(el, ["fb_memory_usage", name], path, "MiB");
  return { totalMiB: at("total"), reservedMiB: at("reserved"), usedMiB: at("used"), freeMiB: at("free") };
}

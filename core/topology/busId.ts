import { TopologyInputError } from "./errors.js";

/**
 * `dddd:bb:dd.f`, lower-case hex: how sysfs names a PCI function, and how a report stores bus ids. The
 * domain has exactly 4 digits, or more only without a leading zero, so each bus has one spelling.
 */
export const BUS_ID = /^(?:[0-9a-f]{4}|[1-9a-f][0-9a-f]{4,7}):[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

const ANY_BUS_ID = /^(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

/**
 * nvidia-smi prints `00000000:18:00.0` (8-digit domain, upper-case hex); sysfs and lspci print
 * `0000:18:00.0`. Both become the sysfs form so the two sources join. The domain is printed with at
 * least 4 digits, not cut to 4: Intel VMD domains start at 0x10000 and sysfs shows all five.
 */
export function normaliseBusId(text: string, field = "busId"): string {
  const m = ANY_BUS_ID.exec(text.trim());
  if (!m) throw new TopologyInputError(field, `"${text}" is not a PCI bus id (domain:bus:device.function)`);
  const [, domain = "0", bus = "", device = "", fn = ""] = m;
  const dom = Number.parseInt(domain, 16).toString(16).padStart(4, "0");
  return `${dom}:${bus}:${device}.${fn}`.toLowerCase();
}

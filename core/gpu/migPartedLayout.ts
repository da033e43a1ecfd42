/**
 * The MIG devices a mig-parted config (the GPU operator's `default-mig-parted-config`) asks for one
 * GPU under a named layout: the first entry of `mig-configs.<name>` whose `devices` covers the GPU's
 * index and whose `device-filter` (if any) names its PCI id (`0x233010DE`). Pure: the caller parses the
 * YAML. Used by Tier 2's direct mode on nodes without the operator; the operator path only needs the
 * layout's name.
 */
import { z } from "zod";

const Entry = z.object({
  "device-filter": z.union([z.string(), z.array(z.string())]).optional(),
  devices: z.union([z.literal("all"), z.array(z.number().int().min(0))]),
  "mig-enabled": z.boolean(),
  "mig-devices": z.record(z.string(), z.number().int().min(0)).optional(),
});
const MigPartedConfig = z.object({ version: z.literal("v1"), "mig-configs": z.record(z.string(), z.array(Entry)) });

export type MigPartedLayout =
  | { readonly ok: true; readonly migEnabled: boolean; /** Profile → count; `1g.10gb+me` style names kept. */ readonly devices: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly problem: string };

function filterOf(f: string | string[] | undefined): string[] | undefined {
  return f === undefined ? undefined : (Array.isArray(f) ? f : [f]).map((x) => x.toUpperCase());
}

export function migPartedLayout(config: unknown, layout: string, gpu: { index: number; pciDeviceId: string | null }): MigPartedLayout {
  const parsed = MigPartedConfig.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `mig-parted config: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  const entries = parsed.data["mig-configs"][layout];
  if (entries === undefined) return { ok: false, problem: `mig-parted config has no layout "${layout}"` };
  const pci = gpu.pciDeviceId?.toUpperCase();
  const entry = entries.find((e) => {
    const covers = e.devices === "all" || e.devices.includes(gpu.index);
    const filter = filterOf(e["device-filter"]);
    return covers && (filter === undefined || (pci !== undefined && filter.includes(pci)));
  });
  if (entry === undefined) return { ok: false, problem: `layout "${layout}" has no entry for GPU ${gpu.index} (PCI id ${gpu.pciDeviceId ?? "unknown"})` };
  return { ok: true, migEnabled: entry["mig-enabled"], devices: entry["mig-devices"] ?? {} };
}

/** `-cgi` argument: the profiles, larger slices first (as mig-parted creates them, so they find room). */
export function createGpuInstancesArg(devices: Readonly<Record<string, number>>): string {
  const slices = (profile: string) => Number(/^(\d+)g\./.exec(profile)?.[1] ?? 0);
  return Object.entries(devices)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => slices(b) - slices(a) || (a < b ? -1 : 1))
    .flatMap(([profile, n]) => Array.from({ length: n }, () => profile))
    .join(",");
}

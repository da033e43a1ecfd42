import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface FakePciFunction {
  readonly busId: string;
  readonly vendor?: string;
  readonly pciClass?: string;
  readonly device?: string;
  readonly numaNode?: string;
  readonly localCpuList?: string;
}

/**
 * A host root in a temp dir with the sysfs files discovery reads, in the kernel's formats (`0x10de\n`,
 * `-1\n`, `0-55,112-167\n`). Real sysfs makes `bus/pci/devices/*` symlinks into `/sys/devices`; plain
 * directories read the same through readdir/readFile. `numa` writes `node/online` and each
 * `nodeN/distance`.
 */
export function sysfsTree(spec: { pci?: readonly FakePciFunction[]; numa?: { online: string; distances: Record<number, string> } }) {
  const hostRoot = mkdtempSync(path.join(tmpdir(), "fake-host-"));
  const write = (rel: string, text: string) => {
    const file = path.join(hostRoot, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  mkdirSync(path.join(hostRoot, "sys/bus/pci/devices"), { recursive: true });
  for (const f of spec.pci ?? []) {
    const at = (name: string) => `sys/bus/pci/devices/${f.busId}/${name}`;
    if (f.vendor !== undefined) write(at("vendor"), `${f.vendor}\n`);
    if (f.pciClass !== undefined) write(at("class"), `${f.pciClass}\n`);
    if (f.device !== undefined) write(at("device"), `${f.device}\n`);
    if (f.numaNode !== undefined) write(at("numa_node"), `${f.numaNode}\n`);
    if (f.localCpuList !== undefined) write(at("local_cpulist"), `${f.localCpuList}\n`);
  }
  if (spec.numa) {
    write("sys/devices/system/node/online", `${spec.numa.online}\n`);
    for (const [id, row] of Object.entries(spec.numa.distances)) write(`sys/devices/system/node/node${id}/distance`, `${row}\n`);
  }
  return { hostRoot, remove: () => rmSync(hostRoot, { recursive: true, force: true }) };
}

/** The XD670's eight H100s (bus ids of the SYNTHETIC query fixture), as sysfs shows them on a 2-socket host. */
export const XD670_BUS_IDS = ["0000:18:00.0", "0000:2a:00.0", "0000:3a:00.0", "0000:5d:00.0", "0000:9a:00.0", "0000:ab:00.0", "0000:ba:00.0", "0000:db:00.0"];

export function xd670Pci(): FakePciFunction[] {
  const gpus = XD670_BUS_IDS.map((busId, i) => ({
    busId,
    vendor: "0x10de",
    pciClass: "0x030200",
    device: "0x2330",
    numaNode: i < 4 ? "0" : "1",
    localCpuList: i < 4 ? "0-55,112-167" : "56-111,168-223",
  }));
  // Functions discovery must skip: a host bridge, an NVIDIA audio function, a Mellanox NIC.
  return [
    { busId: "0000:00:00.0", vendor: "0x8086", pciClass: "0x060000", device: "0x09a2", numaNode: "0", localCpuList: "0-55,112-167" },
    { busId: "0000:19:00.1", vendor: "0x10de", pciClass: "0x040300", device: "0x22ba", numaNode: "0", localCpuList: "0-55,112-167" },
    { busId: "0000:1a:00.0", vendor: "0x15b3", pciClass: "0x020700", device: "0x1021", numaNode: "0", localCpuList: "0-55,112-167" },
    ...gpus,
  ];
}

/**
 * An 8× H100 HGX node (HPE XD670) as the agent sees it: nvidia-smi answering from the real fixtures
 * in memory (no process per call: daemon tests and the benchmark run many polls), and a host root with
 * its PCI functions and NUMA nodes in sysfs.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SMI_ARGS, type CommandRunner } from "../../nodeagent/discovery/index.js";
import { sysfsTree, xd670Pci } from "../nodeagent/discovery/sysfsTree.js";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/node/${name}`, import.meta.url)), "utf8");

/** The fixture's 8 GPU UUIDs, in index order. */
export const XD670_GPU_UUIDS = fixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv")
  .trim()
  .split("\n")
  .map((l) => l.split(",")[1]!.trim());

export function xd670Runner(): CommandRunner & { calls: string[] } {
  const replies: Record<string, string> = {
    [SMI_ARGS.gpus.join(" ")]: fixture("nvidia-smi-query-gpu_agent-query_SYNTHETIC.csv").replaceAll("Enabled", "Disabled"),
    [SMI_ARGS.topology.join(" ")]: fixture("nvidia-smi-topo-m_hgx-h100-80gb_hpe-xd670.txt"),
    [SMI_ARGS.computeApps.join(" ")]: "",
    [SMI_ARGS.details.join(" ")]: '<?xml version="1.0" ?>\n<nvidia_smi_log><driver_version>580.126.20</driver_version><cuda_version>13.0</cuda_version><attached_gpus>8</attached_gpus></nvidia_smi_log>\n',
  };
  const calls: string[] = [];
  return {
    calls,
    async run(_file, args) {
      const argv = args.join(" ");
      calls.push(argv);
      const stdout = replies[argv];
      return stdout === undefined ? { stdout: "", stderr: `Invalid combination of input arguments: ${argv}`, exitCode: 2 } : { stdout, stderr: "", exitCode: 0 };
    },
  };
}

export function xd670Host(): { hostRoot: string; remove(): void } {
  return sysfsTree({ pci: xd670Pci(), numa: { online: "0-1", distances: { 0: "10 21", 1: "21 10" } } });
}

/**
 * `steward agent --once --output json`: what the node agent sees on this node (GPUs, topology, MIG
 * layout, compute processes, the cgroup hierarchy and anything it could not read), printed as one
 * JSON document. Read-only: it runs nvidia-smi listings and reads sysfs, and never writes a cgroup
 * or changes a GPU setting. The daemon (tenants, mitigation, NodeReport) is not in this release, so
 * `--once` is required.
 */
import { hostname } from "node:os";
import { detectCgroupHierarchy } from "../nodeagent/cgroups/index.js";
import { discoverGpus, ExecFileRunner, hostPaths, type CommandRunner } from "../nodeagent/discovery/index.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";

export const agentOptions: readonly OptionSpec[] = [
  { flag: "once", path: "once", kind: "boolean", help: "discover once, print the report and exit (required in this release)" },
  { flag: "output", path: "output", kind: "string", help: "report format: json", defaultText: "json" },
  { flag: "dry-run", path: "dryRun", kind: "boolean", help: "write nothing (this command never writes; recorded in the report)", defaultText: "false" },
  { flag: "nvidia-smi", path: "nvidiaSmi", kind: "string", help: "nvidia-smi binary", defaultText: "nvidia-smi" },
  { flag: "host-root", path: "hostRoot", kind: "string", help: "where the host's /sys, /proc and /dev are mounted", defaultText: "/" },
  { flag: "cgroup-root", path: "cgroupRoot", kind: "string", help: "cgroup hierarchy root", defaultText: "<host-root>/sys/fs/cgroup" },
  { flag: "node-name", path: "nodeName", kind: "string", help: "the Kubernetes node name (default: $NODE_NAME, else the hostname)" },
  { flag: "timeout-ms", path: "timeoutMs", kind: "integer", help: "limit per nvidia-smi call", defaultText: "10000" },
];

export type AgentFlags = Readonly<Record<string, string | boolean | undefined>>;

export interface AgentDeps {
  runner?: CommandRunner;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export async function runAgentOnce(flags: AgentFlags, out: NodeJS.WritableStream, deps: AgentDeps = {}): Promise<number> {
  if (flags.once !== true) throw new StewardError("USAGE", "--once is required: this release discovers once and prints the report (the daemon comes later)", "once");
  const output = flags.output ?? "json";
  if (output !== "json") throw new StewardError("USAGE", `--output: expected json, got ${JSON.stringify(output)}`, "output");
  const timeoutMs = flags["timeout-ms"] === undefined ? 10_000 : Number(flags["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new StewardError("USAGE", `--timeout-ms: expected an integer ≥ 100, got ${JSON.stringify(flags["timeout-ms"])}`, "timeout-ms");
  const str = (name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);

  const paths = hostPaths({ ...(str("host-root") && { hostRoot: str("host-root") }), ...(str("cgroup-root") && { cgroupRoot: str("cgroup-root") }) });
  const discovery = await discoverGpus({ runner: deps.runner ?? new ExecFileRunner(), paths, timeoutMs, ...(str("nvidia-smi") && { nvidiaSmi: str("nvidia-smi") }) });
  const report = {
    nodeName: str("node-name") ?? (deps.env ?? process.env).NODE_NAME ?? hostname(),
    generatedAt: (deps.now?.() ?? new Date()).toISOString(),
    dryRun: flags["dry-run"] === true,
    hostRoot: paths.hostRoot,
    cgroup: { root: paths.cgroup, hierarchy: detectCgroupHierarchy(paths.cgroup) },
    ...discovery,
  };
  out.write(`${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

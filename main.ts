import { parseArgs, type ParseArgsConfig } from "node:util";
import { readFileSync } from "node:fs";
// Only the flag tables load up front; each subcommand loads its code when it runs, so `steward agent`
// (a DaemonSet on every GPU node) and `steward --help` never load the servers they do not run.
import { agentOptions } from "./cmd/agentOptions.js";
import { autoscalerOnceOptions } from "./cmd/autoscalerOnce.js";
import { autoscalerServeOptions, emulateOptions } from "./cmd/autoscalerOptions.js";
import { extenderRoleOptions, serveOptions, webhookRoleOptions } from "./cmd/serveOptions.js";
import { spendPlanOptions } from "./cmd/spend.js";
import { spendStatusOptions } from "./cmd/spendStatus.js";
import { envName, type OptionSpec } from "./platform/config/options.js";
import { isStewardError, StewardError } from "./platform/errors.js";
import { createLogger } from "./platform/log.js";
import { systemClock } from "./platform/clock.js";
import type { ServeRoles } from "./cmd/serve.js";

interface Subcommand {
  summary: string;
  options: readonly OptionSpec[];
  /** One-shot tools: flags only, no --config file and no STEWARD_* environment. */
  flagsOnly?: boolean;
  run(flags: Record<string, string | boolean | undefined>): Promise<number>;
}

const certsOptions: readonly OptionSpec[] = [
  { flag: "out", path: "out", kind: "string", help: "directory to write ca.crt, ca.key, tls.crt, tls.key" },
  { flag: "secret", path: "secret", kind: "string", help: "namespace/name of a kubernetes.io/tls Secret to write (needs --kubeconfig or a pod)" },
  { flag: "dns", path: "dns", kind: "list", help: "DNS names of the serving certificate (comma list), e.g. gpu-steward.gpu-steward.svc" },
  { flag: "ip", path: "ip", kind: "list", help: "IP addresses of the serving certificate (comma list)" },
  { flag: "validity-days", path: "validityDays", kind: "integer", help: "serving certificate lifetime", defaultText: "365" },
  { flag: "kubeconfig", path: "kubeconfig", kind: "string", help: "kubeconfig path or 'in-cluster' (with --secret)" },
];

async function serve(flags: Record<string, string | boolean | undefined>, roles: ServeRoles): Promise<number> {
  const { loadServeConfig, startServe } = await import("./cmd/serve.js");
  const config = loadServeConfig({ flags, env: process.env, ...(typeof flags.config === "string" && { configFile: flags.config }) });
  const server = await startServe(config, {}, roles);
  const stop = async (signal: string) => {
    server.log.info({ signal }, "stopping");
    await server.stop();
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
  return new Promise<number>(() => undefined); // serves until a signal arrives
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  controller: {
    summary: "admission webhook, scheduler extender and scoring API in one process, sharing the learned model",
    options: serveOptions,
    run: (flags) => serve(flags, { webhook: true, extender: true }),
  },
  webhook: {
    summary: "admission webhook only: /mutate on the webhook port, /metrics /healthz /readyz on the metrics port",
    options: webhookRoleOptions,
    run: (flags) => serve(flags, { webhook: true, extender: false }),
  },
  extender: {
    summary: "scheduler extender only: /filter /prioritize and the scoring API on the extender port",
    options: extenderRoleOptions,
    run: (flags) => serve(flags, { webhook: false, extender: true }),
  },
  agent: {
    summary: "node agent (DaemonSet): GPU topology, tenants' p99 SLOs, cgroup throttling of noisy neighbours, NodeReport, /metrics on 8081; --once --output json prints one report",
    options: agentOptions,
    run: async (flags) => (await import("./cmd/agent.js")).runAgent(flags, process.stdout),
  },
  autoscaler: {
    summary: "inference autoscaler: GET /invoke and periodic cycles on 3300 sizing vLLM Deployments; --once --data-path PATH solves one allocation and prints JSON",
    // --once and the daemon share --data-path and --profile; list each flag once.
    options: [...autoscalerServeOptions, ...autoscalerOnceOptions.filter((o) => !autoscalerServeOptions.some((s) => s.flag === o.flag))],
    run: async (flags) =>
      flags.once === true
        ? (await import("./cmd/autoscalerOnce.js")).runAutoscalerOnce(flags, process.stdout, (path) => readFileSync(path, "utf8"))
        : (await import("./cmd/autoscalerServe.js")).runAutoscalerServe(flags),
  },
  "autoscaler emulate": {
    summary: "move the load labels of the managed vLLM Deployments every --interval (the original loademulator, or mean-reverting), seeded",
    options: emulateOptions,
    run: async (flags) => (await import("./cmd/autoscalerEmulate.js")).runAutoscalerEmulate(flags),
  },
  "spend plan": {
    summary: "one PID step of the spend controller for given figures, as a fresh controller would take it; prints JSON",
    options: spendPlanOptions,
    flagsOnly: true,
    async run(flags) {
      return (await import("./cmd/spend.js")).runSpendPlan(flags, process.stdout);
    },
  },
  "spend status": {
    summary: "live spend routing of a running controller (GET /v1/spend on its extender port); prints JSON",
    options: spendStatusOptions,
    flagsOnly: true,
    run: async (flags) => (await import("./cmd/spendStatus.js")).runSpendStatus(flags, process.stdout),
  },
  certs: {
    summary: "issue a CA and serving certificate into a directory or a Secret; prints the base64 caBundle",
    options: certsOptions,
    flagsOnly: true,
    async run(flags) {
      const list = (v: unknown) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : []);
      const dnsNames = list(flags.dns);
      if (dnsNames.length === 0) throw new StewardError("USAGE", "--dns is required (comma list of names the certificate is for)", "dns");
      const validityDays = flags["validity-days"] === undefined ? 365 : Number(flags["validity-days"]);
      if (!Number.isInteger(validityDays) || validityDays < 1) throw new StewardError("USAGE", `--validity-days: expected a positive integer, got ${JSON.stringify(flags["validity-days"])}`, "validity-days");
      let secret: { namespace: string; name: string } | undefined;
      if (typeof flags.secret === "string") {
        const m = /^([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(flags.secret);
        if (!m) throw new StewardError("USAGE", `--secret: expected namespace/name, got ${JSON.stringify(flags.secret)}`, "secret");
        secret = { namespace: m[1]!, name: m[2]! };
      }
      let writeSecret;
      if (secret) {
        const { kubeAdapters, loadKubeConfig } = await import("./platform/kube/client.js");
        const kc = loadKubeConfig(typeof flags.kubeconfig === "string" ? flags.kubeconfig : undefined);
        if (!kc) throw new StewardError("USAGE", "--secret needs --kubeconfig (or running in a pod)", "kubeconfig");
        const kube = kubeAdapters(kc, createLogger({ level: "warn" }), systemClock, { podName: "steward-certs" });
        writeSecret = (ns: string, name: string, data: Record<string, string>) => kube.secrets.apply(ns, name, "kubernetes.io/tls", data);
      }
      const { runCerts } = await import("./cmd/certs.js");
      return runCerts(
        {
          ...(typeof flags.out === "string" && { outDir: flags.out }),
          ...(secret && { secret }),
          ...(writeSecret && { writeSecret }),
          dnsNames,
          ipAddresses: list(flags.ip),
          validityDays,
          now: new Date(),
        },
        process.stdout,
        process.stderr,
      );
    },
  },
};

function usage(): string {
  const lines = ["Usage: steward <subcommand> [flags]", "", "Subcommands:"];
  for (const [name, sub] of Object.entries(SUBCOMMANDS)) lines.push(`  ${name.padEnd(12)}${sub.summary}`);
  lines.push("", "Run 'steward <subcommand> --help' for its flags.");
  return lines.join("\n");
}

function subcommandHelp(name: string, sub: Subcommand): string {
  const lines = [`Usage: steward ${name} [flags]`, "", sub.summary, "", sub.flagsOnly ? "Flags:" : "Flags (precedence: defaults < --config file < STEWARD_* env < flags):"];
  const all = sub.flagsOnly ? sub.options : [{ flag: "config", path: "", kind: "string" as const, help: "YAML or JSON file with the same keys as the flags' paths" }, ...sub.options];
  for (const o of all) {
    const value = o.kind === "boolean" ? "" : o.kind === "list" ? " A,B" : " VALUE";
    const def = o.defaultText ? ` (default ${o.defaultText})` : "";
    const where = o.path && !sub.flagsOnly ? ` [${o.path}, ${envName(o.flag)}]` : "";
    lines.push(`  --${o.flag}${value}`.padEnd(34) + `${o.help}${def}${where}`);
  }
  lines.push(`  --help`.padEnd(34) + "show this help");
  return lines.join("\n");
}

function parseFlags(name: string, sub: Subcommand, argv: string[]): Record<string, string | boolean | undefined> {
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  if (!sub.flagsOnly) options.config = { type: "string" };
  for (const o of sub.options) options[o.flag] = { type: o.kind === "boolean" ? "boolean" : "string" };
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new StewardError("USAGE", `steward ${name}: ${(err as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  // Two-word subcommands (`spend plan`): the second word is part of the name when it is not a flag.
  const twoWords = argv.length > 1 && !argv[1]!.startsWith("-") && SUBCOMMANDS[`${argv[0]} ${argv[1]}`] !== undefined;
  const [name, ...rest] = twoWords ? [`${argv[0]} ${argv[1]}`, ...argv.slice(2)] : argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`steward: unknown subcommand "${name}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const flags = parseFlags(name, sub, rest);
    if (flags.help) {
      process.stdout.write(`${subcommandHelp(name, sub)}\n`);
      return 0;
    }
    return await sub.run(flags);
  } catch (err) {
    if (isStewardError(err)) {
      process.stderr.write(`steward ${name}: ${err.message}\n`);
      return err.code === "USAGE" || err.code === "CONFIG_INVALID" ? 2 : 1;
    }
    process.stderr.write(`steward ${name}: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// Exit explicitly: a start that failed half-way may leave a listening server holding the loop open.
process.exit(await main(process.argv.slice(2)));

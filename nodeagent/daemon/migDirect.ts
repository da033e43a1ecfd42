/**
 * Tier 2 on nodes without the GPU operator (`--mig-direct`, off by default): repartition the tenant's
 * GPU with nvidia-smi to the named layout of a mig-parted config file. Only when it cannot hurt a
 * running workload: MIG mode already on (turning it on needs a GPU reset, the operator's job), no
 * compute process on the GPU, no pod holding any of its MIG devices. Then, as mig-parted does: destroy
 * compute instances, then GPU instances, then create the layout's instances (larger slices first)
 * with their default compute instance. Dry run prints the commands and runs none. A step that fails
 * stops the rest and is reported with nvidia-smi's words.
 */
import { createGpuInstancesArg, migPartedLayout, parseMigOutcome } from "../../core/gpu/index.js";
import type { EventRecorder } from "../../platform/kube/ports.js";
import type { Logger } from "../../platform/log.js";
import { isCommandError, type CommandRunner } from "../discovery/index.js";
import { recordMigEvent, type MigRequestRecord, type MigRequestResult, type Tier2Context, type Tier2Requester } from "./migRequest.js";
import { gpuIdOf } from "./podDevices.js";

export interface MigDirectOptions {
  nodeName: string;
  layout: string;
  /** The parsed mig-parted config (YAML read at start). */
  config: unknown;
  runner: CommandRunner;
  nvidiaSmi: string;
  timeoutMs: number;
  dryRun: boolean;
  log: Logger;
  events?: EventRecorder;
}

export class MigDirectReconfigurer implements Tier2Requester {
  constructor(private readonly o: MigDirectOptions) {}

  async request(victim: string, gpuId: string, nowMs: number, ctx: Tier2Context): Promise<MigRequestRecord> {
    const { layout, log } = this.o;
    const done = (result: MigRequestResult, error?: string): MigRequestRecord => {
      const r: MigRequestRecord = { atMs: nowMs, victim, gpu: gpuId, layout, result, ...(error !== undefined && { error }) };
      recordMigEvent(this.o.events, this.o.nodeName, r, result === "requested" ? (this.o.dryRun ? "planned with nvidia-smi (dry run)" : "applied with nvidia-smi") : "not applied with nvidia-smi");
      if (result === "refused") log.warn({ victim, gpu: gpuId, layout, reason: error }, "direct MIG change refused");
      return r;
    };
    const { discovery, devices } = ctx;
    const migParent = new Map(discovery.mig.devices.map((d) => [d.uuid, d.gpu]));
    const gpu = discovery.gpus.find((g) => g.uuid === gpuIdOf(gpuId)) ?? discovery.gpus.find((g) => g.index === migParent.get(gpuIdOf(gpuId)));
    if (gpu === undefined) return done("refused", `no GPU of this node is ${gpuId}`);
    if (gpu.migMode.current !== "Enabled") return done("refused", `MIG mode is not enabled on GPU ${gpu.index}; enabling it needs a GPU reset, which the GPU operator does (use --mig-layout without --mig-direct)`);
    const processes = discovery.computeApps.filter((a) => a.gpuIndex === gpu.index || migParent.get(a.gpuUuid) === gpu.index);
    if (processes.length > 0) return done("refused", `GPU ${gpu.index} runs ${processes.length} compute process(es) (pid ${processes.map((p) => p.pid).join(", ")})`);
    const held = devices.flatMap((p) => p.containers.flatMap((c) => c.devices.flatMap((d) => d.deviceIds.map(gpuIdOf).filter((id) => migParent.get(id) === gpu.index || id === gpu.uuid).map(() => `${p.namespace}/${p.name}`))));
    if (held.length > 0) return done("refused", `pods hold GPU ${gpu.index} or its MIG devices: ${[...new Set(held)].join(", ")}`);
    const want = migPartedLayout(this.o.config, layout, { index: gpu.index, pciDeviceId: gpu.pciDeviceId });
    if (!want.ok) return done("refused", want.problem);
    if (!want.migEnabled) return done("refused", `layout "${layout}" turns MIG off on GPU ${gpu.index}; that needs a GPU reset, which the GPU operator does`);

    const current = discovery.mig.gpuInstances.filter((gi) => gi.gpu === gpu.index).map((gi) => gi.profile).sort();
    const wanted = Object.entries(want.devices).flatMap(([p, n]) => Array.from({ length: n }, () => p)).sort();
    if (current.join(",") === wanted.join(",")) return done("already-requested");

    const i = String(gpu.index);
    const steps: string[][] = [];
    if (discovery.mig.computeInstances.some((ci) => ci.gpu === gpu.index)) steps.push(["mig", "-i", i, "-dci"]);
    if (current.length > 0) steps.push(["mig", "-i", i, "-dgi"]);
    if (wanted.length > 0) steps.push(["mig", "-i", i, "-cgi", createGpuInstancesArg(want.devices), "-C"]);
    if (this.o.dryRun) {
      for (const args of steps) log.info({ victim, gpu: gpu.index, layout, operation: `${this.o.nvidiaSmi} ${args.join(" ")}` }, "MIG change skipped (dry run)");
      return done("requested");
    }
    for (const args of steps) {
      const command = `${this.o.nvidiaSmi} ${args.join(" ")}`;
      try {
        const r = await this.o.runner.run(this.o.nvidiaSmi, args, { timeoutMs: this.o.timeoutMs });
        const outcome = parseMigOutcome(r.stdout);
        if (r.exitCode !== 0) {
          const said = [...outcome.otherLines.map((l) => l.text), r.stderr.trim()].filter((t) => t !== "")[0] ?? `exit ${r.exitCode}`;
          log.error({ victim, gpu: gpu.index, layout, operation: command, result: said }, "MIG change failed");
          return done("failed", `${command}: ${said}`);
        }
        log.warn({ victim, gpu: gpu.index, layout, operation: command, result: `${outcome.events.length} change(s)` }, "MIG change applied");
      } catch (err) {
        const said = isCommandError(err) ? `${err.failure}: ${err.detail}` : (err as Error).message;
        return done("failed", `${command}: ${said}`);
      }
    }
    return done("requested");
  }
}

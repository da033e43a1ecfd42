/**
 * `steward autoscaler emulate`: moves the load labels of the managed vLLM Deployments every
 * --interval seconds (autoscaler/emulator.ts), so the autoscaler has changing load to size for in
 * demos and tests. `--mode classic` is the original loademulator (random walk, σ = alpha × first
 * value); `mean-reverting` stays around each server's nominal load. The seed is logged, so a walk can
 * be replayed with --seed. --steps N stops after N steps (0: until SIGTERM).
 */
import { z } from "zod";
import { LoadEmulator } from "../autoscaler/index.js";
import { CLASSIC_DEFAULTS, MEAN_REVERTING_DEFAULTS } from "../core/inference/index.js";
import { systemClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config/load.js";
import type { OptionSpec } from "../platform/config/options.js";
import { StewardError } from "../platform/errors.js";
import { kubeAdapters, loadKubeConfig } from "../platform/kube/client.js";
import type { Deployments } from "../platform/kube/ports.js";
import { createLogger } from "../platform/log.js";

export { emulateOptions } from "./autoscalerOptions.js";
import { emulateOptions } from "./autoscalerOptions.js";

const EmulateConfig = z.object({
  intervalSeconds: z.number().positive().default(60),
  mode: z.enum(["classic", "mean-reverting"]).default("classic"),
  alpha: z.number().min(0).max(1).optional(),
  theta: z.number().min(0).max(1).default(MEAN_REVERTING_DEFAULTS.theta),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  steps: z.number().int().min(0).default(0),
  kubeconfig: z.string().min(1).optional(),
  log: z.object({ level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info") }).prefault({}),
});

export async function runAutoscalerEmulate(flags: Record<string, string | boolean | undefined>, deps: { deployments?: Deployments; env?: NodeJS.ProcessEnv; sleep?: (ms: number) => Promise<void> } = {}): Promise<number> {
  const config = loadConfig(EmulateConfig, emulateOptions, { flags, env: deps.env ?? process.env, ...(typeof flags["config"] === "string" && { configFile: flags["config"] }) });
  const log = createLogger({ level: config.log.level });
  let deployments = deps.deployments;
  if (deployments === undefined) {
    const kc = loadKubeConfig(config.kubeconfig);
    if (kc === undefined) throw new StewardError("USAGE", "steward autoscaler emulate needs a cluster: --kubeconfig, or run it in a pod", "kubeconfig");
    deployments = kubeAdapters(kc, log, systemClock, { podName: "steward-emulator" }).deployments;
  }
  const base = config.mode === "classic" ? CLASSIC_DEFAULTS : MEAN_REVERTING_DEFAULTS;
  const seed = config.seed ?? Math.floor(Math.random() * 2 ** 32);
  const settings = { mode: config.mode, alpha: config.alpha ?? base.alpha, theta: config.theta };
  log.info({ ...settings, seed, intervalSeconds: config.intervalSeconds }, "load emulator started");
  const emulator = new LoadEmulator({ deployments, settings, seed, log });
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let step = 1; config.steps === 0 || step <= config.steps; step++) {
    await sleep(config.intervalSeconds * 1000);
    try {
      const changes = await emulator.step();
      log.info({ step, changes: changes.map((c) => ({ deployment: `${c.namespace}/${c.name}`, rpm: c.to.rpm, inTokens: c.to.inTokens, outTokens: c.to.outTokens, result: c.result })) }, "load emulated");
    } catch (err) {
      log.warn({ err, code: "KUBE_API", step }, "emulator step failed; next interval");
    }
  }
  return 0;
}

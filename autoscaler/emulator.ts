/**
 * `steward autoscaler emulate`: every interval, moves the load labels of every managed Deployment by
 * one emulator step (core/inference/loadEmulator.ts) and writes them back (a merge patch of the
 * labels, in each label family the Deployment carries). The autoscaler then reads that load, as the
 * original emulator fed the inferno controller. A Deployment without load labels is left alone (and
 * said once); one that cannot be patched does not stop the others.
 */
import type { V1Deployment } from "@kubernetes/client-node";
import { emulateStep, firstSight, normalSource, seededUniform, type EmulatedLoad, type EmulatorMemory, type EmulatorSettings } from "../core/inference/index.js";
import { unrefWait, type Wait } from "../platform/kube/leader.js";
import type { Deployments } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import { listManaged } from "./collector.js";
import { LABEL_KEYS, managedFamilies, serverLabel } from "./labels.js";

/** The 2026 emulator's nominal load labels (inferno's), and ours. */
const NOMINAL_KEYS = {
  rpm: ["gpu-steward.io/load-nominal-rpm", "inferno.server.load.nominal.rpm"],
  inTokens: ["gpu-steward.io/load-nominal-in-tokens", "inferno.server.load.nominal.intokens"],
  outTokens: ["gpu-steward.io/load-nominal-out-tokens", "inferno.server.load.nominal.outtokens"],
} as const;

export interface EmulatedChange {
  namespace: string;
  name: string;
  from: EmulatedLoad;
  to: EmulatedLoad;
  result: "written" | "failed";
  error?: string;
}

function number(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function loadOf(labels: Readonly<Record<string, string>>): EmulatedLoad | undefined {
  const rpm = number(serverLabel(labels, "loadRpm"));
  const inTokens = number(serverLabel(labels, "loadInTokens"));
  const outTokens = number(serverLabel(labels, "loadOutTokens"));
  return rpm === undefined || inTokens === undefined || outTokens === undefined ? undefined : { rpm, inTokens, outTokens };
}

function nominalOf(labels: Readonly<Record<string, string>>): EmulatedLoad | undefined {
  const first = (keys: readonly string[]) => keys.map((k) => number(labels[k])).find((v) => v !== undefined && v > 0);
  const rpm = first(NOMINAL_KEYS.rpm);
  const inTokens = first(NOMINAL_KEYS.inTokens);
  const outTokens = first(NOMINAL_KEYS.outTokens);
  return rpm === undefined || inTokens === undefined || outTokens === undefined ? undefined : { rpm, inTokens, outTokens };
}

export class LoadEmulator {
  readonly #memory = new Map<string, EmulatorMemory>();
  readonly #z: () => number;
  readonly #warned = new Set<string>();

  constructor(
    private readonly o: { deployments: Deployments; settings: EmulatorSettings; seed: number; log: Logger },
  ) {
    if (!(o.settings.alpha >= 0 && o.settings.alpha <= 1)) throw new RangeError(`alpha must be in [0, 1], got ${o.settings.alpha}`);
    if (!(o.settings.theta >= 0 && o.settings.theta <= 1)) throw new RangeError(`theta must be in [0, 1], got ${o.settings.theta}`);
    this.#z = normalSource(seededUniform(o.seed));
  }

  /** One step over every managed Deployment, in name order (so a seed replays the same walk). */
  async step(): Promise<EmulatedChange[]> {
    const changes: EmulatedChange[] = [];
    for (const d of await listManaged(this.o.deployments)) {
      const change = await this.#one(d);
      if (change) changes.push(change);
    }
    return changes;
  }

  async run(intervalMs: number, signal: AbortSignal, wait: Wait = unrefWait): Promise<void> {
    while (!signal.aborted) {
      await wait(intervalMs, signal);
      if (signal.aborted) break;
      try {
        const changes = await this.step();
        this.o.log.info({ changed: changes.filter((c) => c.result === "written").length, failed: changes.filter((c) => c.result === "failed").length }, "load emulated");
      } catch (err) {
        this.o.log.warn({ err, code: "KUBE_API" }, "emulator step failed; next interval");
      }
    }
  }

  async #one(d: V1Deployment): Promise<EmulatedChange | undefined> {
    const namespace = d.metadata?.namespace ?? "";
    const name = d.metadata?.name ?? "";
    const labels = d.metadata?.labels ?? {};
    const key = d.metadata?.uid ?? `${namespace}/${name}`;
    const current = loadOf(labels);
    if (current === undefined) {
      if (!this.#warned.has(key)) this.o.log.warn({ namespace, name }, "managed Deployment without load labels: not emulated");
      this.#warned.add(key);
      return undefined;
    }
    let memory = this.#memory.get(key);
    if (memory === undefined) this.#memory.set(key, (memory = firstSight(current, nominalOf(labels), this.o.settings)));
    const next = emulateStep(current, memory, this.o.settings, this.#z);
    const patch: Record<string, string> = {};
    for (const family of managedFamilies(labels)) {
      const keys = LABEL_KEYS[family];
      patch[keys.loadRpm] = String(next.rpm);
      patch[keys.loadInTokens] = String(next.inTokens);
      patch[keys.loadOutTokens] = String(next.outTokens);
    }
    try {
      await this.o.deployments.change(namespace, name, { labels: patch });
      return { namespace, name, from: current, to: next, result: "written" };
    } catch (err) {
      this.o.log.warn({ err, code: "KUBE_API", namespace, name }, "emulated load not written");
      return { namespace, name, from: current, to: next, result: "failed", error: (err as Error).message };
    }
  }
}

/**
 * One cycle of the loop (spec §4): collect → optimize → actuate, timed per phase, serialised so an
 * /invoke and a periodic tick never overlap. A cycle fails (AUTOSCALER_CYCLE, nothing written) when
 * no managed server is found or the static data does not decode; an optimizer "error" (the
 * original's failed cycle) does not fail it: the partial plan is applied and the servers it could
 * not serve are held as they are (decisions.ts).
 */
import { optimize, type InferenceProfile, type OptimizationResult, type SystemSpec } from "../core/inference/index.js";
import type { Clock } from "../platform/clock.js";
import { StewardError } from "../platform/errors.js";
import type { Deployments, EventRecorder, ObjectWatch } from "../platform/kube/ports.js";
import type { Logger } from "../platform/log.js";
import { actuate, type Actuation } from "./actuator.js";
import { capacityFromNodes, type CapacityDocument } from "./capacity.js";
import { collect, type ManagedServer } from "./collector.js";
import { decide, type ActuationPolicy } from "./decisions.js";
import type { LoadSource } from "./loadSource.js";
import type { AutoscalerMetrics, CyclePhase } from "./metrics.js";
import { acceleratorTypes, buildSystem, STATIC_DOCUMENTS, CAPACITY_DOCUMENT, type StaticDocuments, type StaticTexts } from "./staticData.js";

export interface CycleSettings {
  dynamic: boolean;
  capacityFrom: "nodes" | "file";
  profile: InferenceProfile;
  dryRun: boolean;
  policy: ActuationPolicy;
}

export interface CycleDeps {
  deployments: Deployments;
  events: EventRecorder;
  /** For capacity from nodes. */
  nodes: ObjectWatch;
  load?: LoadSource;
  /** The static documents (files or a ConfigMap). */
  documents: StaticDocuments;
  clock: Clock;
  log: Logger;
  metrics: AutoscalerMetrics;
}

export interface CycleReport {
  servers: ManagedServer[];
  plan: OptimizationResult;
  actuations: Actuation[];
  phaseMs: Record<CyclePhase, number>;
}

export class AutoscalerCycle {
  #static: StaticTexts | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly settings: CycleSettings,
    private readonly deps: CycleDeps,
  ) {}

  /** Reads the static data once; a failure here stops the process at start, as the original's does. */
  async start(): Promise<void> {
    this.#static = await this.#readStatic();
  }

  /** Runs a cycle after any cycle in progress. */
  run(): Promise<CycleReport> {
    const next = this.#running.then(() => this.#cycle());
    this.#running = next.catch(() => undefined);
    return next;
  }

  async #readStatic(): Promise<StaticTexts> {
    return this.deps.documents.read(STATIC_DOCUMENTS);
  }

  async #capacity(texts: StaticTexts): Promise<CapacityDocument | undefined> {
    if (this.settings.capacityFrom === "file") return undefined; // the file is among the texts
    const nodes = await this.deps.nodes.list();
    return capacityFromNodes(nodes.items, acceleratorTypes(texts));
  }

  async #cycle(): Promise<CycleReport> {
    const { clock, log, metrics } = this.deps;
    const phaseMs: Record<CyclePhase, number> = { collect: 0, optimize: 0, actuate: 0, total: 0 };
    const began = clock.nowMs();
    let mark = began;
    const lap = (phase: CyclePhase): void => {
      const now = clock.nowMs();
      phaseMs[phase] = now - mark;
      metrics.phaseSeconds.observe({ phase }, phaseMs[phase] / 1000);
      mark = now;
    };
    try {
      if (this.settings.dynamic || this.#static === undefined) this.#static = await this.#readStatic();
      let texts = this.#static;
      if (this.settings.capacityFrom === "file") texts = { ...texts, ...(await this.deps.documents.read([CAPACITY_DOCUMENT])) };
      const servers = await collect(this.deps.deployments, this.deps.load, began, log);
      if (servers.length === 0) throw new StewardError("AUTOSCALER_CYCLE", "collector returned empty data");
      for (const s of servers) metrics.loadSource.inc({ source: s.loadOrigin });
      const system: SystemSpec = buildSystem(texts, servers.map((s) => s.document), await this.#capacity(texts));
      lap("collect");

      const plan = optimize(system, this.settings.profile);
      if (plan.error !== "") log.warn({ reason: plan.error }, "optimizer plan is partial");
      lap("optimize");

      const typeOf = new Map(system.acceleratorData.accelerators.map((a) => [a.name, a.type]));
      const decisions = servers.map((s) => decide(s, plan, (name) => typeOf.get(name), this.settings.policy));
      const actuations = await actuate(decisions, { deployments: this.deps.deployments, events: this.deps.events, log, dryRun: this.settings.dryRun });
      lap("actuate");

      metrics.observeServers(actuations, plan);
      phaseMs.total = clock.nowMs() - began;
      metrics.phaseSeconds.observe({ phase: "total" }, phaseMs.total / 1000);
      metrics.cycles.inc({ result: "ok" });
      log.info({ durationMs: phaseMs.total, ...phaseMs, result: "ok" }, "autoscaler cycle done");
      return { servers, plan, actuations, phaseMs };
    } catch (err) {
      metrics.cycles.inc({ result: "error" });
      throw err;
    }
  }
}

/**
 * The agent's series on :8081/metrics. Labels are closed sets: tenant, pod and GPU names are never
 * labels (a node has up to hundreds of pods; the NodeReport carries them).
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { TenantStatus } from "../../core/slo/index.js";
import type { CycleResult } from "./cycle.js";

const STATUSES: readonly TenantStatus[] = ["normal", "degraded", "violated", "cooldown", "unknown"];
/** Inputs that can be down on their own; 1 = answered in the last cycle. */
export type AgentInput = "nvidia-smi" | "pod-resources" | "api-server" | "cgroup-v2";

export class AgentMetrics {
  readonly cycleSeconds: Histogram;
  readonly cycles: Counter<"result">;
  readonly tenants: Gauge<"status">;
  readonly throttlesActive: Gauge;
  readonly actions: Counter<"kind">;
  readonly violations: Counter;
  readonly scrapeErrors: Counter;
  readonly input: Gauge<"input">;
  readonly reportWrites: Counter<"result">;
  readonly lastCycle: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.cycleSeconds = new Histogram({ name: "gpu_steward_agent_cycle_seconds", help: "Time of one agent poll (discovery, scrapes, decisions, writes)", buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers });
    this.cycles = new Counter({ name: "gpu_steward_agent_cycles_total", help: "Agent polls by result (ok|failed)", labelNames: ["result"], registers });
    this.tenants = new Gauge({ name: "gpu_steward_agent_tenants", help: `Latency tenants on this node by SLO status (${STATUSES.join("|")})`, labelNames: ["status"], registers });
    this.throttlesActive = new Gauge({ name: "gpu_steward_agent_throttles_active", help: "cgroup files currently holding a throttle of ours", registers });
    this.actions = new Counter({ name: "gpu_steward_agent_actions_total", help: "Mitigation actions by kind (throttle|release|skip|refused|mig-request)", labelNames: ["kind"], registers });
    this.violations = new Counter({ name: "gpu_steward_agent_violations_total", help: "Tenant SLO violations detected (after persistence)", registers });
    this.scrapeErrors = new Counter({ name: "gpu_steward_agent_scrape_errors_total", help: "Pod /metrics reads that failed", registers });
    this.input = new Gauge({ name: "gpu_steward_agent_input_up", help: "1 when the input answered in the last poll: nvidia-smi, pod-resources, api-server, cgroup-v2 (mitigation possible)", labelNames: ["input"], registers });
    this.reportWrites = new Counter({ name: "gpu_steward_agent_report_writes_total", help: "NodeReport writes by result (written|skipped|failed)", labelNames: ["result"], registers });
    this.lastCycle = new Gauge({ name: "gpu_steward_agent_last_cycle_timestamp_seconds", help: "When the last poll finished, Unix seconds", registers });
  }

  setInput(input: AgentInput, up: boolean): void {
    this.input.labels(input).set(up ? 1 : 0);
  }

  observe(r: CycleResult): void {
    this.cycles.labels("ok").inc();
    this.cycleSeconds.observe(r.durationMs / 1000);
    const counts = new Map<TenantStatus, number>(STATUSES.map((s) => [s, 0]));
    for (const t of r.tenants) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
    for (const [status, n] of counts) this.tenants.labels(status).set(n);
    this.throttlesActive.set(r.throttles.length);
    for (const a of r.actions) this.actions.labels(a.kind).inc();
    this.violations.inc(r.violations.length);
    for (const s of r.scrapes.values()) if (s.error !== undefined) this.scrapeErrors.inc();
    this.setInput("nvidia-smi", r.inputs.nvidiaSmi);
    if (r.inputs.podResources !== null) this.setInput("pod-resources", r.inputs.podResources);
    this.setInput("cgroup-v2", r.inputs.mitigation);
    this.lastCycle.set(r.atMs / 1000);
  }
}

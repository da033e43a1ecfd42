/**
 * One optimisation of a system (spec §3): candidates for every server, the unlimited or greedy
 * solver, then the plan. Where the original v078 fails the whole cycle (an idle server dropped by
 * the greedy, a server left without capacity, a server without candidates), the plan still holds
 * every allocation it could make, each server has a status, and `error` has the original's text.
 */
import type { ServerLoad, SystemSpec } from "./documents.js";
import { maxRpmPerReplica, serverCandidates, type Candidate } from "./candidate.js";
import { saturationPolicyOf } from "./bestEffort.js";
import { f32 } from "./float32.js";
import type { Grant } from "./grant.js";
import { solveGreedy } from "./greedy.js";
import { DEFAULT_INFERENCE_PROFILE, PROFILE_RULES, type InferenceProfile } from "./profiles.js";
import { byName, classOf, indexSystem, LOWEST_PRIORITY, type SystemIndex } from "./systemIndex.js";
import { solveUnlimited } from "./unlimited.js";

export interface ServerAllocation {
  accelerator: string;
  numReplicas: number;
  maxBatch: number;
  cost: number;
  itlAverage: number;
  ttftAverage: number;
  /** The server's input load, echoed (`throughput` only in the v078 format). */
  load: { arrivalRate: number; throughput?: number; avgInTokens: number; avgOutTokens: number };
}

/**
 * allocated: the plan meets the server's targets (for an idle server without a replica floor:
 *   zero replicas, which it gets by being left out of `allocations`, as the original's actuator
 *   scales absent servers to zero);
 * saturated: capacity ran short: fewer replicas than the targets need, none at all, or more load
 *   than the granted replicas sustain;
 * infeasible: no accelerator can meet the targets, or the server names an unknown class, model
 *   or accelerator.
 */
export type ServerStatus = "allocated" | "saturated" | "infeasible";

export interface OptimizationResult {
  profile: InferenceProfile;
  /** Per server that received an allocation, by name. */
  allocations: Record<string, ServerAllocation>;
  totalCost: number;
  /** Cards and cost per physical card type. */
  unitsByType: Record<string, { units: number; cost: number }>;
  /** The original's failure text (v078, §3.6); "" when it would succeed. */
  error: string;
  status: Record<string, ServerStatus>;
  /** The original's informational flag: arrivalRate > replicas × max RPM per replica. */
  saturated: Record<string, boolean>;
}

export interface ServerCandidates {
  /** Servers in name order with their candidates, cheapest first. */
  candidatesByServer: Map<string, Candidate[]>;
  index: SystemIndex;
}

export function buildCandidates(system: SystemSpec, profile: InferenceProfile = DEFAULT_INFERENCE_PROFILE): ServerCandidates {
  const index = indexSystem(system);
  const candidatesByServer = new Map<string, Candidate[]>();
  for (const server of index.servers) candidatesByServer.set(server.name, serverCandidates(index, server, profile));
  return { candidatesByServer, index };
}

function echoLoad(load: ServerLoad, profile: InferenceProfile): ServerAllocation["load"] {
  return PROFILE_RULES[profile].echoThroughput
    ? { arrivalRate: load.arrivalRate, throughput: load.throughput, avgInTokens: load.avgInTokens, avgOutTokens: load.avgOutTokens }
    : { arrivalRate: load.arrivalRate, avgInTokens: load.avgInTokens, avgOutTokens: load.avgOutTokens };
}

function isSaturated(grant: Grant, arrivalRate: number): boolean {
  return arrivalRate > f32(f32(grant.numReplicas) * maxRpmPerReplica(grant.candidate));
}

export function optimize(system: SystemSpec, profile: InferenceProfile = DEFAULT_INFERENCE_PROFILE): OptimizationResult {
  const { candidatesByServer, index } = buildCandidates(system, profile);
  const options = system.optimizerData.optimizer;
  const priorities = new Map(index.servers.map((s) => [s.name, index.classes.get(classOf(s))?.priority ?? LOWEST_PRIORITY] as const));
  const grants = options.unlimited
    ? solveUnlimited(candidatesByServer)
    : solveGreedy({
        candidatesByServer,
        priorityOf: (name) => priorities.get(name) ?? LOWEST_PRIORITY,
        capacity: index.capacity,
        delayedBestEffort: options.delayedBestEffort,
        saturationPolicy: saturationPolicyOf(options.saturationPolicy),
      });

  const result: OptimizationResult = { profile, allocations: {}, totalCost: 0, unitsByType: {}, error: "", status: {}, saturated: {} };
  const unallocated: string[] = [];
  for (const server of index.servers) {
    const name = server.name;
    const grant = grants.get(name);
    const candidates = candidatesByServer.get(name) ?? [];
    if (grant === undefined) {
      unallocated.push(name);
      const idle = candidates.length > 0 && candidates.every((c) => c.acceleratorType === "");
      result.status[name] = idle ? "allocated" : candidates.length > 0 ? "saturated" : "infeasible";
      continue;
    }
    const c = grant.candidate;
    result.allocations[name] = {
      accelerator: c.accelerator,
      numReplicas: grant.numReplicas,
      maxBatch: c.maxBatch,
      cost: grant.cost,
      itlAverage: c.itlAverage,
      ttftAverage: c.ttftAverage,
      load: echoLoad(server.currentAlloc.load, profile),
    };
    const saturated = isSaturated(grant, server.currentAlloc.load.arrivalRate);
    result.saturated[name] = saturated;
    result.status[name] = grant.partial || saturated ? "saturated" : "allocated";
    result.totalCost += grant.cost;
    if (c.acceleratorType !== "") {
      const slot = (result.unitsByType[c.acceleratorType] ??= { units: 0, cost: 0 });
      slot.units += grant.numReplicas * c.unitsPerReplica;
      slot.cost += grant.cost;
    }
  }
  result.unitsByType = Object.fromEntries(Object.entries(result.unitsByType).sort(([a], [b]) => byName(a, b)));
  if (PROFILE_RULES[profile].failOnUnallocated && unallocated.length > 0) {
    result.error = `no feasible allocation for servers: [${unallocated.join(", ")}]`;
  }
  return result;
}

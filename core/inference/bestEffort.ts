/**
 * Best effort for servers whose every candidate was refused (spec §3.4): leftover capacity is
 * handed out below the SLO-meeting replica counts, by the configured saturation policy.
 */
import type { Candidate } from "./candidate.js";
import { availableOf, partialGrant, type Available, type Grant } from "./grant.js";
import { priorityGroups, type ServerEntry } from "./serverEntry.js";

export const SATURATION_POLICIES = ["None", "PriorityExhaustive", "PriorityRoundRobin", "RoundRobin"] as const;
export type SaturationPolicy = (typeof SATURATION_POLICIES)[number];

/** Any other spelling, "" included, means None (as in the original). */
export function saturationPolicyOf(text: string): SaturationPolicy {
  return (SATURATION_POLICIES as readonly string[]).includes(text) ? (text as SaturationPolicy) : "None";
}

/** One server at a time, in order, takes as many replicas as fit on its cheapest candidate that fits any. */
function exhaustive(leftovers: readonly ServerEntry[], available: Available, grants: Map<string, Grant>): void {
  for (const entry of leftovers) {
    for (const candidate of entry.candidates) {
      if (candidate.acceleratorType === "" || candidate.unitsPerReplica <= 0) continue;
      const fit = Math.floor(availableOf(available, candidate.acceleratorType) / candidate.unitsPerReplica);
      const replicas = Math.min(fit, candidate.numReplicas);
      if (replicas > 0) {
        grants.set(entry.server, partialGrant(candidate, replicas));
        available.set(candidate.acceleratorType, availableOf(available, candidate.acceleratorType) - replicas * candidate.unitsPerReplica);
        break;
      }
    }
  }
}

interface Ticket {
  candidate?: Candidate;
  granted: number;
}

/**
 * Sweeps the servers in order, one replica per visit, until none can take another. A server binds
 * to its cheapest candidate with room for one replica on its first visit. As in the original, a
 * server keeps receiving replicas while capacity lasts, without a cap at its need.
 */
function roundRobin(group: readonly ServerEntry[], available: Available, grants: Map<string, Grant>): void {
  const tickets = new Map<string, Ticket>(group.map((e) => [e.server, { granted: 0 }]));
  const served: { server: string; ticket: Ticket }[] = [];
  while (tickets.size > 0) {
    for (const entry of group) {
      const ticket = tickets.get(entry.server);
      if (ticket === undefined) continue;
      if (ticket.candidate === undefined) {
        ticket.candidate = entry.candidates.find((c) => c.acceleratorType !== "" && c.unitsPerReplica > 0 && availableOf(available, c.acceleratorType) >= c.unitsPerReplica);
        if (ticket.candidate === undefined) {
          tickets.delete(entry.server);
          continue;
        }
      }
      const { acceleratorType, unitsPerReplica, numReplicas } = ticket.candidate;
      const fit = Math.floor(availableOf(available, acceleratorType) / unitsPerReplica);
      if (Math.min(fit, numReplicas) > 0) {
        if (ticket.granted === 0) served.push({ server: entry.server, ticket });
        ticket.granted++;
        available.set(acceleratorType, availableOf(available, acceleratorType) - unitsPerReplica);
      } else {
        tickets.delete(entry.server);
      }
    }
  }
  for (const { server, ticket } of served) grants.set(server, partialGrant(ticket.candidate!, ticket.granted));
}

export function bestEffort(leftovers: readonly ServerEntry[], available: Available, policy: SaturationPolicy, grants: Map<string, Grant>): void {
  switch (policy) {
    case "PriorityExhaustive":
      exhaustive(leftovers, available, grants);
      return;
    case "PriorityRoundRobin":
      for (const group of priorityGroups(leftovers)) roundRobin(group, available, grants);
      return;
    case "RoundRobin":
      roundRobin(leftovers, available, grants);
      return;
    case "None":
      return;
  }
}

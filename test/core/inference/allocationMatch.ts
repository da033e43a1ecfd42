/** Compares the core's plans with the original's expected outputs, float32 for float32. */
import type { Candidate, ServerAllocation } from "../../../core/inference/index.js";
import { maxRpmPerReplica } from "../../../core/inference/index.js";
import type { ExpectedAllocation, ExpectedCandidate } from "./inferenceFixtures.js";

const f = Math.fround;

/** An expected allocation as float32 values (the files print them in shortest form). */
export function expectedAllocation(a: ExpectedAllocation): ServerAllocation {
  const load = a.load.throughput === undefined
    ? { arrivalRate: f(a.load.arrivalRate), avgInTokens: a.load.avgInTokens, avgOutTokens: a.load.avgOutTokens }
    : { arrivalRate: f(a.load.arrivalRate), throughput: f(a.load.throughput), avgInTokens: a.load.avgInTokens, avgOutTokens: a.load.avgOutTokens };
  return { accelerator: a.accelerator, numReplicas: a.numReplicas, maxBatch: a.maxBatch, cost: f(a.cost), itlAverage: f(a.itlAverage), ttftAverage: f(a.ttftAverage), load };
}

export function candidateRow(c: Candidate): ExpectedCandidate {
  return {
    accelerator: c.accelerator,
    numReplicas: c.numReplicas,
    maxBatch: c.maxBatch,
    cost: c.cost,
    value: c.value,
    itlAverage: c.itlAverage,
    ttftAverage: c.ttftAverage,
    rho: c.rho,
    maxRPMPerReplica: maxRpmPerReplica(c),
  };
}

export function expectedCandidateRow(c: ExpectedCandidate): ExpectedCandidate {
  return { ...c, cost: f(c.cost), value: f(c.value), itlAverage: f(c.itlAverage), ttftAverage: f(c.ttftAverage), rho: f(c.rho), maxRPMPerReplica: f(c.maxRPMPerReplica) };
}

/** Candidate lists compared as sets (the original's order is map order). */
export function sortedRows(rows: ExpectedCandidate[]): ExpectedCandidate[] {
  const key = (r: ExpectedCandidate) => JSON.stringify([r.accelerator, r.numReplicas, r.maxBatch, r.cost]);
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

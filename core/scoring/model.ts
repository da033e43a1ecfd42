import { resolveScoringConfig, type ScoringConfig, type ScoringConfigInput } from "./config.js";
import { candidateTerms } from "./cost.js";
import { requireFinite, requireName, requireNames } from "./errors.js";
import { chooseCandidate, type DecisionCounters } from "./explorationCap.js";
import { gpuSelectorFor } from "./gpuSelector.js";
import {
  interferencePairCount,
  interferencePenalty,
  jobsToAvoid,
  learnSlowdown,
  relativeSlowdown,
  type InterferenceMatrix,
} from "./interference.js";
import { estimateOf } from "./prior.js";
import { priorityScores } from "./priority.js";
import { evictOldest } from "./retention.js";
import { MAX_RUNTIME_S, firstStats, updateStats } from "./runtimeStats.js";
import { parseModelSnapshot, SNAPSHOT_SCHEMA_VERSION, type ModelSnapshot } from "./snapshot.js";
import type {
  ModelMetrics,
  Observation,
  RuntimeEstimate,
  RuntimeStats,
  ScoreDecision,
  ScoreRequest,
} from "./types.js";

/** What one observation changed: the pair's runtime stats, or (co-located run with a baseline) interference. */
export interface ObserveOutcome {
  learned: "runtime" | "interference";
  /** Pairs dropped by retention, as [jobType, gpuType]. */
  evicted: [string, string][];
}

interface PairEntry {
  jobType: string;
  gpuType: string;
  stats: RuntimeStats;
}

const pairKey = (jobType: string, gpuType: string): string => JSON.stringify([jobType, gpuType]);

/**
 * The learned runtime model of the placement scorer: per (job type, GPU type) an exponentially
 * weighted runtime mean and variance, a co-location slowdown matrix, and the exploration counters.
 * Mutable and synchronous; the caller supplies time and does persistence through `snapshot()`.
 * Public methods validate their input and throw ScoringInputError naming the bad field.
 */
export class ScoringModel {
  readonly config: Readonly<ScoringConfig>;
  /** Insertion-ordered so retention breaks ties on age the way the seed did. */
  private readonly pairs = new Map<string, PairEntry>();
  private readonly interference: InterferenceMatrix = new Map();
  private readonly counters: DecisionCounters = { decisionsTotal: 0, explorationDecisions: 0 };

  constructor(config: ScoringConfigInput = {}) {
    this.config = resolveScoringConfig(config);
  }

  /** Rebuilds a model from stored data (validated: throws ScoringInputError on a bad snapshot). */
  static fromSnapshot(snapshot: unknown, config: ScoringConfigInput = {}): ScoringModel {
    const model = new ScoringModel(config);
    model.adopt(snapshot);
    return model;
  }

  /**
   * Replaces what this instance has learned with a snapshot, in place: the webhook and the extender
   * hold this one instance, so a follower loading the leader's snapshot must not swap it. Validates
   * first; a bad snapshot throws ScoringInputError and leaves the model as it was. Decision counters
   * stay (they are per process).
   */
  adopt(snapshot: unknown): void {
    const s = parseModelSnapshot(snapshot);
    this.pairs.clear();
    this.interference.clear();
    for (const { jobType, gpuType, ...stats } of s.stats) {
      this.pairs.set(pairKey(jobType, gpuType), { jobType, gpuType, stats });
    }
    for (const { jobType, coJobType, slowdown } of s.interference) {
      const row = this.interference.get(jobType) ?? new Map<string, number>();
      row.set(coJobType, slowdown);
      this.interference.set(jobType, row);
    }
  }

  /** Learned stats of a pair, or undefined when it was never observed (or was evicted). */
  statsOf(jobType: string, gpuType: string): RuntimeStats | undefined {
    const entry = this.pairs.get(pairKey(jobType, gpuType));
    return entry === undefined ? undefined : { ...entry.stats };
  }

  /** Mean and variance used for scoring: the learned stats, or the prior (10 s, σ² 25). */
  estimate(jobType: string, gpuType: string): RuntimeEstimate {
    return estimateOf(this.pairs.get(pairKey(jobType, gpuType))?.stats);
  }

  /** Mean learned slowdown of `jobType` beside the given jobs; 0 when interference is disabled. */
  interferencePenalty(jobType: string, colocatedJobTypes: readonly string[]): number {
    if (!this.config.enableInterference) return 0;
    return interferencePenalty(this.interference, jobType, colocatedJobTypes);
  }

  /** Chooses a GPU type for a job. Counts the decision toward the exploration ratio. */
  score(request: ScoreRequest): ScoreDecision {
    const jobType = requireName(request.jobType, "jobType");
    const candidates = requireNames(request.candidateGpuTypes, "candidateGpuTypes", { nonEmpty: true });
    const colocated = requireNames(request.colocatedJobTypes ?? [], "colocatedJobTypes", { nonEmpty: false });

    // The penalty does not depend on the GPU type (see interference.ts), so it is computed once.
    const penalty = this.interferencePenalty(jobType, colocated);
    const records = candidates.map((gpuType) => {
      const estimate = this.estimate(jobType, gpuType);
      return { gpuType, variance: estimate.variance, ...candidateTerms(estimate, penalty, this.config) };
    });
    const priorities = priorityScores(records.map((r) => r.cost));
    const choice = chooseCandidate(records, this.counters, this.config.explorationCap);
    const chosen = records[choice.index]!;
    const { mu, sigma, ig, cost } = chosen;
    return {
      chosenGpu: chosen.gpuType,
      priorityScore: priorities[choice.index]!,
      gpuSelector: gpuSelectorFor(chosen.gpuType),
      avoidCoLocateWith: this.config.enableInterference ? jobsToAvoid(this.interference, jobType, colocated) : [],
      // A capped decision ignored uncertainty, so it reports σ and IG as 0 (reconciled seed rule);
      // otherwise callers counting σ > 1 as exploration would still see the cap broken.
      terms: choice.mode === "capped" ? { mu, sigma: 0, ig: 0, penalty, cost } : { mu, sigma, ig, penalty, cost },
      mode: choice.mode,
      candidates: records.map(({ variance: _variance, ...terms }, i) => ({ ...terms, priorityScore: priorities[i]! })),
    };
  }

  /**
   * Learns from a finished job.
   * - Solo run, interference disabled, or no solo baseline yet: the pair's runtime stats absorb it.
   * - Co-located run with a baseline: only I[job][co] moves toward (x − μ_solo)/μ_solo; the stats stay.
   * Deviation from the seed: it folded co-located runs into the solo stats first and then measured the
   * slowdown against that already-shifted mean, so the penalty came out at about half the real
   * slowdown (its own tests failed). Without a baseline this skips the interference update too,
   * where the seed compared the run with itself and pulled I toward 0.
   */
  observe(observation: Observation, nowMs: number): ObserveOutcome {
    const jobType = requireName(observation.jobType, "jobType");
    const gpuType = requireName(observation.gpuType, "gpuType");
    const runtimeS = requireFinite(observation.runtimeS, "runtimeS", 0, MAX_RUNTIME_S);
    const colocated = requireNames(observation.colocatedJobTypes ?? [], "colocatedJobTypes", { nonEmpty: false });
    requireFinite(nowMs, "nowMs");

    const key = pairKey(jobType, gpuType);
    const entry = this.pairs.get(key);
    if (this.config.enableInterference && colocated.length > 0 && entry !== undefined) {
      const slowdown = relativeSlowdown(runtimeS, entry.stats.meanRuntimeS);
      if (slowdown !== undefined) {
        learnSlowdown(this.interference, jobType, colocated, slowdown);
        return { learned: "interference", evicted: [] };
      }
    }
    if (entry === undefined) this.pairs.set(key, { jobType, gpuType, stats: firstStats(runtimeS, nowMs) });
    else entry.stats = updateStats(entry.stats, runtimeS, nowMs);
    const evicted = evictOldest(this.pairs, this.config.retentionPairs).map((k) => JSON.parse(k) as [string, string]);
    return { learned: "runtime", evicted };
  }

  metrics(): ModelMetrics {
    let sigmaSum = 0;
    for (const { stats } of this.pairs.values()) sigmaSum += Math.sqrt(stats.variance);
    const { decisionsTotal, explorationDecisions } = this.counters;
    return {
      decisionsTotal,
      explorationDecisions,
      explorationRatio: explorationDecisions / Math.max(1, decisionsTotal),
      avgUncertainty: this.pairs.size === 0 ? 0 : sigmaSum / this.pairs.size,
      statsCount: this.pairs.size,
      interferencePairs: interferencePairCount(this.interference),
    };
  }

  /** Plain-data copy for a ModelStore. Zero slowdowns are left out, as the seed's checkpoint did. */
  snapshot(): ModelSnapshot {
    const interference: ModelSnapshot["interference"] = [];
    for (const [jobType, row] of this.interference) {
      for (const [coJobType, slowdown] of row) if (slowdown > 0) interference.push({ jobType, coJobType, slowdown });
    }
    return {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      stats: [...this.pairs.values()].map(({ jobType, gpuType, stats }) => ({ jobType, gpuType, ...stats })),
      interference,
    };
  }
}

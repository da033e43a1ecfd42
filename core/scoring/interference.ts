/**
 * Learned co-location slowdown: I[job][coJob] is an exponential moving average of the relative
 * slowdown `job` showed while `coJob` ran beside it. It is keyed by job types only, not by GPU type
 * (as in the seed): a noisy neighbour is assumed to hurt on every GPU class alike.
 */
export type InterferenceMatrix = Map<string, Map<string, number>>;

/** Weight of a new slowdown sample in the moving average. */
export const INTERFERENCE_RATE = 0.1;
/** A neighbour that slowed the job by more than 10 % is reported in `avoidCoLocateWith`. */
export const AVOID_SLOWDOWN_THRESHOLD = 0.1;

export function slowdownOf(matrix: InterferenceMatrix, jobType: string, coJobType: string): number {
  return matrix.get(jobType)?.get(coJobType) ?? 0;
}

/** Mean learned slowdown over the co-located jobs (duplicates count twice); 0 when none are given. */
export function interferencePenalty(matrix: InterferenceMatrix, jobType: string, colocated: readonly string[]): number {
  if (colocated.length === 0) return 0;
  let sum = 0;
  for (const co of colocated) sum += slowdownOf(matrix, jobType, co);
  return sum / colocated.length;
}

/**
 * Cap on one slowdown sample (a run 101× its solo mean). Not in the seed: a sample that large says the
 * baseline is bogus (say, a job that died at start), and uncapped a near-zero baseline makes the
 * ratio overflow to Infinity and every later cost with it. Real slowdowns stay far below it.
 */
export const MAX_SLOWDOWN_SAMPLE = 100;

/** Relative slowdown of a co-located run against the solo mean; undefined without a usable baseline. */
export function relativeSlowdown(runtimeS: number, soloMeanS: number): number | undefined {
  if (!(soloMeanS > 0)) return undefined;
  const ratio = (runtimeS - soloMeanS) / soloMeanS;
  return Math.min(MAX_SLOWDOWN_SAMPLE, Math.max(0, ratio));
}

/** Moves I[job][co] toward `slowdown` for each co-located job, in place. */
export function learnSlowdown(
  matrix: InterferenceMatrix,
  jobType: string,
  colocated: readonly string[],
  slowdown: number,
): void {
  let row = matrix.get(jobType);
  if (row === undefined) {
    row = new Map();
    matrix.set(jobType, row);
  }
  for (const co of colocated) {
    row.set(co, (1 - INTERFERENCE_RATE) * (row.get(co) ?? 0) + INTERFERENCE_RATE * slowdown);
  }
}

/** Co-located job types worth an anti-affinity hint; keeps request order and duplicates. */
export function jobsToAvoid(matrix: InterferenceMatrix, jobType: string, colocated: readonly string[]): string[] {
  return colocated.filter((co) => slowdownOf(matrix, jobType, co) > AVOID_SLOWDOWN_THRESHOLD);
}

export function interferencePairCount(matrix: InterferenceMatrix): number {
  let n = 0;
  for (const row of matrix.values()) n += row.size;
  return n;
}

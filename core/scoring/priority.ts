/**
 * Maps costs to a 0..100 priority: 100·(max − cost)/(max − min), so the cheapest candidate gets 100
 * and the dearest 0. A single candidate, or candidates of equal cost, get a neutral 50.
 */
export function priorityScores(costs: readonly number[]): number[] {
  let max = -Infinity;
  let min = Infinity;
  for (const c of costs) {
    if (c > max) max = c;
    if (c < min) min = c;
  }
  if (costs.length < 2 || !(max > min)) return costs.map(() => 50);
  return costs.map((cost) => Math.min(100, Math.max(0, (100 * (max - cost)) / (max - min))));
}

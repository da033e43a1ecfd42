/**
 * Bounds memory: when more than `maxPairs` (job type, GPU type) pairs are stored, the least recently
 * updated go first; equal times keep insertion order (the sort is stable), as the seed's did.
 * Returns the keys removed. Interference rows are not bounded here, as in the seed.
 */
export function evictOldest<T extends { lastUpdatedMs: number }>(
  pairs: Map<string, { stats: T }>,
  maxPairs: number,
): string[] {
  const excess = pairs.size - maxPairs;
  if (excess <= 0) return [];
  const oldest = [...pairs.entries()]
    .sort(([, a], [, b]) => a.stats.lastUpdatedMs - b.stats.lastUpdatedMs)
    .slice(0, excess)
    .map(([key]) => key);
  for (const key of oldest) pairs.delete(key);
  return oldest;
}

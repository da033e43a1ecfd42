/**
 * The original Cluster-Helper's per-process latency file, `<PID>.metric`, kept as a compatibility input:
 * `p99_latency_ms: 87.50` (what its writer prints) or a bare number (`87.5`).
 */

const LABELLED = /p99_latency_ms:\s*([0-9.]+)/;
const BARE_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * p99 in ms, or undefined when the file says nothing usable. As the original: the labelled form is
 * searched anywhere; when it matches but its number is malformed (`1.2.3`) the file is unusable, not
 * read another way. Unlike the original, NaN, infinities and negative numbers are refused: they are not
 * latencies, and a missing or unreadable file never becomes a made-up one.
 */
export function parseMetricFile(content: string): number | undefined {
  const text = content.trim();
  const labelled = LABELLED.exec(text);
  const candidate = labelled !== null ? labelled[1]! : text;
  if (!BARE_NUMBER.test(candidate)) return undefined;
  const ms = Number(candidate);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** What the original's writer puts in the file (two decimals, trailing newline); tests write tenants this way. */
export function formatMetricFile(p99Ms: number): string {
  return `p99_latency_ms: ${p99Ms.toFixed(2)}\n`;
}

/** File name → PID for `<PID>.metric`; other names are not tenant files. */
export function metricFilePid(fileName: string): number | undefined {
  const m = /^(\d+)\.metric$/.exec(fileName);
  return m === null ? undefined : Number(m[1]);
}

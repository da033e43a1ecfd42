/**
 * A content hash of a node's topology: the agent compares it with the last one it wrote to decide
 * whether the topology changed, and readers (the extender) compare it with the one they built their
 * link graph from, to skip the rebuild. Change detection only, not integrity: FNV-1a 64 over the
 * canonical JSON (object keys sorted, so field order never changes the hash; array order does, and
 * the topology's arrays are already sorted by index). Pure JS, so core needs no crypto module.
 */
export const TOPOLOGY_HASH = /^fnv1a64:[0-9a-f]{16}$/;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a 64 of the text's UTF-8 bytes, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let h = FNV_OFFSET;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK_64;
  return h.toString(16).padStart(16, "0");
}

/** The hash of a topology, whatever `hash` it already carries (that field is left out). */
export function topologyHash(topology: object): string {
  const { hash: _ignored, ...content } = topology as Record<string, unknown>;
  return `fnv1a64:${fnv1a64(canonicalJson(content))}`;
}

/**
 * Deterministic per-pod routing: a job goes to the credit pool when its bucket is below the routing
 * percentage. The bucket is a stable function of the job's identity, so
 * - the same identity always gets the same answer for the same percentage (replicas agree, retries
 *   and re-scheduling of the same pod agree);
 * - raising the percentage only adds jobs to the pool, lowering it only removes them;
 * - over many identities the routed share tends to the percentage.
 *
 * Hash: FNV-1a 32-bit (offset basis 2166136261, prime 16777619) over the identity's UTF-8 bytes,
 * then MurmurHash3's 32-bit finaliser (fmix32) so that identities differing only in their last
 * characters (`job-1`, `job-2`) still spread over the whole range. bucket = hash ÷ 2³² × 100, in [0, 100).
 * Use the job's uid (or its owner's for gang-scheduled pods, so all workers land together).
 */
import { SpendInputError, requireFinite } from "./errors.js";

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_POW_32 = 4_294_967_296;
const utf8 = new TextEncoder();

export function identityHash32(identity: string): number {
  let h = FNV_OFFSET_BASIS;
  for (const byte of utf8.encode(identity)) {
    h ^= byte;
    h = Math.imul(h, FNV_PRIME);
  }
  // fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The identity's fixed place in [0, 100). */
export function routingBucket(identity: string): number {
  if (typeof identity !== "string" || identity === "") {
    throw new SpendInputError("identity", "expected a non-empty pod or job identity (uid)");
  }
  return (identityHash32(identity) / TWO_POW_32) * 100;
}

/** True when this identity goes to the credit pool at `routingPct` (0 routes none, 100 routes all). */
export function routesToPool(identity: string, routingPct: number): boolean {
  requireFinite("routingPct", routingPct);
  if (routingPct < 0 || routingPct > 100) {
    throw new SpendInputError("routingPct", `expected a percentage in [0, 100], got ${routingPct}`);
  }
  return routingBucket(identity) < routingPct;
}

/**
 * Remembers decisions by review content, so a review seen before (same job, same namespace, same
 * request fields; only the uid differs) is answered without decoding, parsing, validating or deciding
 * again.
 *
 * The apiserver writes an AdmissionReview with Go's encoding/json, fields in struct order:
 * `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"<uid>",…`. In that
 * form everything after the uid's closing quote is the review's content: the memo's key. Bodies in
 * any other form (whitespace, other field order) simply take the full path.
 *
 * It works on the raw bytes: a hit costs a fingerprint of a few sampled kilobytes and one memcmp of
 * the content, not a UTF-8 decode and a hash of the whole body.
 *
 * A decision is only remembered when it is repeatable (a pure recommender, no cluster read), on the
 * content's second sighting, and after a second parse with another uid in the same place proves the
 * uid there is the one the review carries (no later duplicate `uid` key overrides it). Then any uid of
 * the same characters in that place gives the same document but for `request.uid`, hence the same
 * decision.
 */
import type { Decision } from "./admit.js";

const CANONICAL_PREFIXES = [
  '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"',
  // Field order of clients that write apiVersion first (our tests, most hand-written reviews).
  '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"',
] as const;
const PREFIX_BYTES = CANONICAL_PREFIXES.map((p) => Buffer.from(p, "latin1"));

/**
 * UIDs are UUIDs in practice. Printable ASCII other than a quote, a backslash or a space needs no
 * JSON escaping, so the text is the value and `"${uid}"` is its JSON string.
 */
const UID_RE = /^[!#-[\]-~]{1,128}$/;
const MAX_UID_BYTES = 128;
const QUOTE = 0x22;

/** Reviews larger than this are rare (and slow anyway); not worth holding in memory. */
const MAX_REMEMBERED_REVIEW_BYTES = 256 * 1024;

/** Bytes sampled at each end of the content for the fingerprint; names and specs differ there first. */
const FINGERPRINT_SPAN = 1024;

/** A review body cut around its uid. */
export interface ReviewCut {
  prefix: number;
  uid: string;
  /** Everything after the uid's closing quote (a view of the request body). */
  content: Buffer;
}

/** What a repeated review needs: the decision to record again and the response after the uid. */
export interface RememberedDecision {
  decision: Decision;
  /** `RESPONSE_HEAD + JSON.stringify(uid) + responseTail` is the answer (review.ts). */
  responseTail: string;
  operation: string;
  namespace: string | undefined;
  dryRun: boolean;
}

/** A remembered decision as recalled: `bound` is free for the caller to cache per-entry state (a child logger). */
export interface Recalled extends RememberedDecision {
  bound?: unknown;
}

interface Entry extends Recalled {
  prefix: number;
  content: Buffer;
  bytes: number;
  /** CLOCK second-chance bit: set on a hit, so eviction skips entries in use without reordering on every hit. */
  used: boolean;
}

/** Cuts a body in canonical form around its uid; undefined for any other form. */
export function splitReview(body: Buffer): ReviewCut | undefined {
  for (let prefix = 0; prefix < PREFIX_BYTES.length; prefix++) {
    const head = PREFIX_BYTES[prefix]!;
    if (body.length <= head.length || body.compare(head, 0, head.length, 0, head.length) !== 0) continue;
    const end = body.indexOf(QUOTE, head.length);
    if (end === -1 || end - head.length > MAX_UID_BYTES) return undefined;
    // latin1 maps every byte to one char; any non-ASCII byte then fails UID_RE.
    const uid = body.toString("latin1", head.length, end);
    if (!UID_RE.test(uid)) return undefined;
    return { prefix, uid, content: body.subarray(end + 1) };
  }
  return undefined;
}

/**
 * True when the uid in the cut place is the review's `request.uid`: the same body with another uid
 * there must parse to that other uid. Costs one parse, only when a decision is about to be remembered.
 */
export function uidIsTheRequests(cut: ReviewCut): boolean {
  const probe = cut.uid === "0" ? "1" : "0";
  try {
    const parsed = JSON.parse(`${CANONICAL_PREFIXES[cut.prefix]}${probe}"${cut.content.toString("utf8")}`) as { request?: { uid?: unknown } };
    return parsed.request?.uid === probe;
  } catch {
    return false;
  }
}

/** FNV-1a over the content's length and its first and last FINGERPRINT_SPAN bytes. */
function fingerprint(content: Buffer): number {
  let h = 0x811c9dc5 ^ content.length;
  const head = Math.min(content.length, FINGERPRINT_SPAN);
  for (let i = 0; i < head; i++) h = Math.imul(h ^ content[i]!, 0x01000193);
  for (let i = Math.max(head, content.length - FINGERPRINT_SPAN); i < content.length; i++) h = Math.imul(h ^ content[i]!, 0x01000193);
  return h >>> 0;
}

/** Entries by fingerprint; equal fingerprints are told apart by comparing the bytes. */
class ContentIndex<T extends { content: Buffer; prefix: number }> {
  private readonly buckets = new Map<number, T[]>();
  /** Insertion order, for eviction. */
  readonly order: T[] = [];

  get size(): number {
    return this.order.length;
  }

  find(fp: number, cut: { content: Buffer; prefix: number }): T | undefined {
    const bucket = this.buckets.get(fp);
    if (!bucket) return undefined;
    for (const e of bucket) if (e.prefix === cut.prefix && e.content.equals(cut.content)) return e;
    return undefined;
  }

  add(fp: number, entry: T): void {
    const bucket = this.buckets.get(fp);
    if (bucket) bucket.push(entry);
    else this.buckets.set(fp, [entry]);
    this.order.push(entry);
  }

  remove(fp: number, entry: T): void {
    const bucket = this.buckets.get(fp);
    if (bucket) {
      const i = bucket.indexOf(entry);
      if (i !== -1) bucket.splice(i, 1);
      if (bucket.length === 0) this.buckets.delete(fp);
    }
    const j = this.order.indexOf(entry);
    if (j !== -1) this.order.splice(j, 1);
  }
}

interface Sighting {
  content: Buffer;
  prefix: number;
  fp: number;
}

export class DecisionMemo {
  private readonly entries = new ContentIndex<Entry & { fp: number }>();
  private bytes = 0;
  /**
   * Contents seen once and not remembered: a review is remembered on its second sighting, so a
   * stream of unique jobs (the common case) costs one fingerprint each, not a proof parse and an
   * eviction. Bounded like the entries.
   */
  private readonly seenOnce = new ContentIndex<Sighting>();
  private seenBytes = 0;

  /** `maxEntries` 0 disables the memo. `maxBytes` bounds the memory the remembered reviews hold. */
  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number = 32 * 1024 * 1024,
  ) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  recall(cut: ReviewCut): Recalled | undefined {
    const entry = this.entries.find(fingerprint(cut.content), cut);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry;
  }

  /**
   * Remembers a decision for this review content when it is seen for the second time; returns
   * whether it is now remembered.
   */
  remember(cut: ReviewCut, remembered: RememberedDecision): boolean {
    if (!this.enabled || !remembered.decision.repeatable) return false;
    const bytes = cut.content.length + remembered.responseTail.length;
    if (cut.content.length > MAX_REMEMBERED_REVIEW_BYTES || bytes > this.maxBytes) return false;
    const fp = fingerprint(cut.content);
    if (this.entries.find(fp, cut)) return true;
    const sighting = this.seenOnce.find(fp, cut);
    if (!sighting) {
      this.noteFirstSighting(fp, cut);
      return false;
    }
    this.seenOnce.remove(fp, sighting);
    this.seenBytes -= sighting.content.length;
    if (!uidIsTheRequests(cut)) return false;
    while (this.entries.size >= this.maxEntries || this.bytes + bytes > this.maxBytes) this.evictOne();
    // A copy: the request's buffer belongs to the connection.
    this.entries.add(fp, { ...remembered, prefix: cut.prefix, content: Buffer.from(cut.content), bytes, used: false, fp });
    this.bytes += bytes;
    return true;
  }

  private noteFirstSighting(fp: number, cut: ReviewCut): void {
    while (this.seenOnce.size > 0 && (this.seenOnce.size >= this.maxEntries || this.seenBytes + cut.content.length > this.maxBytes)) {
      const oldest = this.seenOnce.order[0]!;
      this.seenOnce.remove(oldest.fp, oldest);
      this.seenBytes -= oldest.content.length;
    }
    this.seenOnce.add(fp, { content: Buffer.from(cut.content), prefix: cut.prefix, fp });
    this.seenBytes += cut.content.length;
  }

  private evictOne(): void {
    // CLOCK: pass over entries recalled since the last pass (clearing their bit), evict the first that was not.
    for (let guard = this.entries.size * 2 + 1; guard > 0; guard--) {
      const oldest = this.entries.order[0];
      if (!oldest) return;
      this.entries.remove(oldest.fp, oldest);
      if (oldest.used) {
        oldest.used = false;
        this.entries.add(oldest.fp, oldest);
        continue;
      }
      this.bytes -= oldest.bytes;
      return;
    }
  }
}

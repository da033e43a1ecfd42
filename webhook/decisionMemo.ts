/**
 * Remembers decisions by review content, so a review seen before (same job, same namespace, same
 * request fields; only the uid differs) is answered without parsing, validating or deciding again.
 *
 * The apiserver writes an AdmissionReview with Go's encoding/json, fields in struct order:
 * `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"<uid>",…`. In that
 * form everything after the uid's closing quote is the review's content: the memo's key. Bodies in
 * any other form (whitespace, other field order) simply take the full path.
 *
 * A decision is only remembered when it is repeatable (a pure recommender, no cluster read) and a
 * second parse with another uid in the same place proves the uid there is the one the review carries
 * (no later duplicate `uid` key overrides it). Then any uid of the same characters in that place
 * gives the same document but for `request.uid`, hence the same decision.
 */
import type { Decision } from "./admit.js";

const CANONICAL_PREFIXES = [
  '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"',
  // Field order of clients that write apiVersion first (our tests, most hand-written reviews).
  '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"',
] as const;

/**
 * UIDs are UUIDs in practice. Printable ASCII other than a quote, a backslash or a space needs no
 * JSON escaping, so the text is the value and `"${uid}"` is its JSON string.
 */
const UID_RE = /^[!#-[\]-~]{1,128}$/;

/** Reviews larger than this are rare (and slow anyway); not worth holding in memory. */
const MAX_REMEMBERED_REVIEW_CHARS = 256 * 1024;

/** A review body cut around its uid. */
export interface ReviewText {
  prefix: number;
  uid: string;
  /** Everything after the uid's closing quote. */
  content: string;
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

interface Entry extends RememberedDecision {
  prefix: number;
  chars: number;
  /** CLOCK second-chance bit: set on a hit, so eviction skips entries in use without reordering the map on every hit. */
  used: boolean;
}

/** Cuts a body in canonical form around its uid; undefined for any other form. */
export function splitReviewText(text: string): ReviewText | undefined {
  for (let prefix = 0; prefix < CANONICAL_PREFIXES.length; prefix++) {
    const head = CANONICAL_PREFIXES[prefix]!;
    if (!text.startsWith(head)) continue;
    const end = text.indexOf('"', head.length);
    if (end === -1) return undefined;
    const uid = text.slice(head.length, end);
    if (!UID_RE.test(uid)) return undefined;
    return { prefix, uid, content: text.slice(end + 1) };
  }
  return undefined;
}

/**
 * True when the uid in the cut place is the review's `request.uid`: the same text with another uid
 * there must parse to that other uid. Costs one parse, only when a decision is about to be remembered.
 */
export function uidIsTheRequests(text: ReviewText): boolean {
  const probe = text.uid === "0" ? "1" : "0";
  try {
    const parsed = JSON.parse(`${CANONICAL_PREFIXES[text.prefix]}${probe}"${text.content}`) as { request?: { uid?: unknown } };
    return parsed.request?.uid === probe;
  } catch {
    return false;
  }
}

export class DecisionMemo {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  /**
   * Contents seen once and not remembered: a review is remembered on its second sighting, so a
   * stream of unique jobs (the common case) costs one map lookup each, not a proof parse and an
   * eviction. Bounded like the entries (it holds references to bodies that exist anyway).
   */
  private readonly seenOnce = new Map<string, number>();
  private seenChars = 0;

  /** `maxEntries` 0 disables the memo. `maxChars` bounds the memory the remembered reviews hold. */
  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number = 32 * 1024 * 1024,
  ) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  recall(text: ReviewText): RememberedDecision | undefined {
    const entry = this.entries.get(text.content);
    if (entry === undefined || entry.prefix !== text.prefix) return undefined;
    entry.used = true;
    return entry;
  }

  /**
   * Remembers a decision for this review content when it is seen for the second time; returns
   * whether it is now remembered.
   */
  remember(text: ReviewText, remembered: RememberedDecision): boolean {
    if (!this.enabled || !remembered.decision.repeatable) return false;
    const chars = text.content.length + remembered.responseTail.length;
    if (text.content.length > MAX_REMEMBERED_REVIEW_CHARS || chars > this.maxChars) return false;
    if (this.entries.has(text.content)) return true;
    if (!this.seenOnce.has(text.content)) {
      this.noteFirstSighting(text.content);
      return false;
    }
    this.seenChars -= this.seenOnce.get(text.content)!;
    this.seenOnce.delete(text.content);
    if (!uidIsTheRequests(text)) return false;
    while (this.entries.size >= this.maxEntries || this.chars + chars > this.maxChars) this.evictOne();
    this.entries.set(text.content, { ...remembered, prefix: text.prefix, chars, used: false });
    this.chars += chars;
    return true;
  }

  private noteFirstSighting(content: string): void {
    while (this.seenOnce.size > 0 && (this.seenOnce.size >= this.maxEntries || this.seenChars + content.length > this.maxChars)) {
      const [oldest, chars] = this.seenOnce.entries().next().value!;
      this.seenOnce.delete(oldest);
      this.seenChars -= chars;
    }
    this.seenOnce.set(content, content.length);
    this.seenChars += content.length;
  }

  private evictOne(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (entry.used) {
        entry.used = false;
        this.entries.set(key, entry);
        continue;
      }
      this.chars -= entry.chars;
      return;
    }
  }
}


/**
 * The shared-state document: what the leader publishes for followers in one ConfigMap key
 * (`state.json`): the learned model and the spend loop's last record. Followers check it before
 * adopting anything; the model and spend parts are validated again by their own parsers.
 */
import { z } from "zod";
import type { ModelSnapshot } from "../../core/scoring/index.js";
import type { SpendRecord } from "../spend/index.js";

export const SHARED_STATE_KEY = "state.json";
export const SHARED_STATE_SCHEMA_VERSION = 1 as const;
/**
 * A ConfigMap holds at most 1 MiB (etcd's object limit, metadata included). Past this the leader does
 * not publish (followers keep the last one) and says so: the model keeps at most `retentionPairs`
 * entries (1,000 by default, about 200 KB), so only a larger retention or very long job types get here.
 */
export const MAX_DOCUMENT_BYTES = 900 * 1024;

export interface SharedStateDocument {
  schemaVersion: typeof SHARED_STATE_SCHEMA_VERSION;
  /** The leader's identity (pod name). */
  publishedBy: string;
  publishedAtMs: number;
  model: ModelSnapshot;
  spend: SpendRecord[];
}

const Envelope = z.object({
  schemaVersion: z.literal(SHARED_STATE_SCHEMA_VERSION),
  publishedBy: z.string().min(1),
  publishedAtMs: z.number().int().min(0),
  model: z.unknown(),
  spend: z.array(z.unknown()),
});

/** The envelope checked; `model` and `spend` entries still unknown (their parsers name their fields). */
export type SharedStateEnvelope = z.infer<typeof Envelope>;

export type EnvelopeRead = { ok: true; envelope: SharedStateEnvelope } | { ok: false; problem: string };

export function readEnvelope(data: Record<string, string>): EnvelopeRead {
  const text = data[SHARED_STATE_KEY];
  if (text === undefined) return { ok: false, problem: `no ${SHARED_STATE_KEY} key` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `${SHARED_STATE_KEY} is not JSON: ${(err as Error).message}` };
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `${SHARED_STATE_KEY}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, envelope: parsed.data };
}

/**
 * When the model last learned: its newest observation. Comparing this, not publish times, decides
 * which of two models is ahead (a replica that led, learned and restarted before publishing keeps
 * what it learned).
 */
export function latestObservationMs(model: Pick<ModelSnapshot, "stats">): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const s of model.stats) if (s.lastUpdatedMs > latest) latest = s.lastUpdatedMs;
  return latest;
}

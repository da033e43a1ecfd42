/**
 * Create, or replace on AlreadyExists: how a single writer (the leader, `steward certs`) keeps one
 * object current without server-side apply. A replace carries the resourceVersion it read, so a
 * concurrent writer makes it fail with 409 instead of being overwritten silently; each retry re-reads.
 * Three tries is enough for two writers; more would hide a writer that never stops.
 */
import { isConflict, toKubeError } from "./errors.js";

export const APPLY_ATTEMPTS = 3;

export interface CreateOrReplace<T> {
  /** `POST secrets ns/name`, for error messages. */
  what: string;
  create(): Promise<unknown>;
  read(): Promise<T>;
  replace(current: T): Promise<unknown>;
}

export async function createOrReplace<T>(op: CreateOrReplace<T>): Promise<void> {
  try {
    await op.create();
    return;
  } catch (raw) {
    const err = toKubeError(raw, `POST ${op.what}`);
    if (!isConflict(err)) throw err;
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      await op.replace(await op.read());
      return;
    } catch (raw) {
      const err = toKubeError(raw, `PUT ${op.what}`);
      if (!isConflict(err) || attempt >= APPLY_ATTEMPTS) throw err;
    }
  }
}
